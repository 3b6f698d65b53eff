// Test helper process: appends access records to an AccessLog as fast as it can until killed,
// so a test can SIGKILL it in the middle of an append. Prints "appending" once the first batch
// is on disk. Usage: node access-appender.process.js <dir> <max-bytes> <batch-size>
import type { AccessRecord } from '@eks-info/contracts';
import { AccessLog } from '../src/ebs/access-log';

async function main(): Promise<void> {
  const [dir, maxBytes, batchArg] = process.argv.slice(2);
  const log = new AccessLog(dir, Number(maxBytes));
  await log.open();
  const batch = Number(batchArg) || 50;
  let n = 0;
  // A long user agent makes each write large, so a kill often lands inside one.
  const agent = 'Mozilla/5.0 '.repeat(40);
  for (let round = 0; ; round++) {
    const records: AccessRecord[] = [];
    for (let i = 0; i < batch; i++) {
      records.push({
        timestamp: new Date().toISOString(),
        pod_name: 'gateway-0',
        node_name: 'node-a',
        client_ip: `10.0.${round % 250}.${i % 250}`,
        request_path: `/ebs?n=${n++}`,
        request_method: 'GET',
        user_agent: agent,
        response_status: 200,
        response_time_ms: 1.5,
      });
    }
    await log.append(records);
    if (round === 0) process.stdout.write('appending\n');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
