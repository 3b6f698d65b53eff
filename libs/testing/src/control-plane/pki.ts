import { generateKeyPairSync } from 'node:crypto';
import { generate } from 'selfsigned';

export interface ControlPlanePki {
  /** PEM of the cluster CA: goes into every kubeconfig. */
  caCert: string;
  caKey: string;
  /** The API server's serving certificate (127.0.0.1, localhost and the in-cluster names). */
  serverCert: string;
  serverKey: string;
  /** Service-account token signing key pair (ES256), as kube-apiserver and the controller-manager take them. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

/**
 * The keys and certificates a control plane needs, made fresh for each run: a CA, the API
 * server's certificate signed by it, and the service-account signing key. EC keys keep it fast.
 */
export async function controlPlanePki(): Promise<ControlPlanePki> {
  const ca = await generate([{ name: 'commonName', value: 'eks-info-test-kubernetes-ca' }], {
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
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 2, value: 'kubernetes.default.svc.cluster.local' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '10.96.0.1' },
        ],
      },
    ],
  });
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    caCert: ca.cert,
    caKey: ca.private,
    serverCert: server.cert,
    serverKey: server.private,
    serviceAccountKey: sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serviceAccountPublicKey: sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
