import { generate } from 'selfsigned';

export interface ServerTls {
  /** PEM of the CA that signed the server certificate; goes into the kubeconfig. */
  caCert: string;
  cert: string;
  key: string;
}

let cached: Promise<ServerTls> | undefined;

/**
 * A CA and a server certificate for 127.0.0.1/localhost, like a cluster's own CA. EC keys keep
 * generation fast; the pair is made once per process and shared by every fake server in it.
 */
export function serverTls(): Promise<ServerTls> {
  cached ??= (async () => {
    const ca = await generate([{ name: 'commonName', value: 'fake-kubernetes-ca' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    return { caCert: ca.cert, cert: server.cert, key: server.private };
  })();
  return cached;
}
