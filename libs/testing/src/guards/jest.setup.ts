// Every Jest worker: no cloud metadata, no credentials from the machine, loopback AWS only.
import { installMetadataGuard } from './no-cloud-metadata';

installMetadataGuard();
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_CONFIG_FILE = '/dev/null';
delete process.env.AWS_PROFILE;
delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
delete process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
