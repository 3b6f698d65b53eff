// `node --require …/register.js`: installs the metadata guard before any application code runs.
import { installMetadataGuard } from './no-cloud-metadata';

installMetadataGuard();
