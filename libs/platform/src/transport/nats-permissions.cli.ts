// Writes the NATS users and their subject permissions (from libs/contracts, see
// nats-permissions.ts) to the file the Helm chart and docker compose both load:
//   node dist/libs/platform/src/transport/nats-permissions.cli.js --write   (after npm run build)
// Without --write it prints the file. A shipping test fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { NATS_AUTHORIZATION_FILE, natsAuthorizationFile } from './nats-permissions';

const root = path.resolve(__dirname, '../../../../..');
if (process.argv.includes('--write')) {
  writeFileSync(path.join(root, NATS_AUTHORIZATION_FILE), natsAuthorizationFile());
  process.stdout.write(`wrote ${NATS_AUTHORIZATION_FILE}\n`);
} else {
  process.stdout.write(natsAuthorizationFile());
}
