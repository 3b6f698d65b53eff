// docker compose: creates the S3 bucket in the local MinIO before the storage services start
// (bundled with the AWS SDK into dist/app/tools/create-bucket/main.js, so no extra image is
// needed). Idempotent.
//   S3_BUCKET, AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

const bucket = process.env.S3_BUCKET;
const endpoint = process.env.AWS_ENDPOINT_URL_S3;
if (!bucket || !endpoint) {
  console.error('S3_BUCKET and AWS_ENDPOINT_URL_S3 are required');
  process.exit(1);
}
// Path-style: a local endpoint has no per-bucket DNS names.
const s3 = new S3Client({ endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 5 });
async function main() {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    console.log(`bucket ${bucket} exists`);
  } catch (err) {
    const status = err.$metadata?.httpStatusCode;
    if (status !== 404 && err.name !== 'NotFound') {
      console.error(`cannot reach bucket ${bucket} at ${endpoint}: ${err.name}: ${err.message}`);
      process.exit(1);
    }
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    console.log(`bucket ${bucket} created`);
  }
}

main().catch((err) => {
  console.error(`cannot create bucket ${bucket}: ${err.message}`);
  process.exit(1);
});
