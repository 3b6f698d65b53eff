import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type S3ObjectRequest, type S3UploadRequest, type S3ViewRequest, StorageRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { S3Service } from './s3.service';

@Controller()
export class S3MessageController {
  constructor(private readonly s3: S3Service) {}

  @OnRequest(StorageRpc.s3)
  view(@Payload() request: S3ViewRequest | null) {
    return this.s3.view(request ?? undefined);
  }

  @OnRequest(StorageRpc.s3Upload)
  upload(@Payload() request: S3UploadRequest | null) {
    return this.s3.upload(request ?? undefined);
  }

  @OnRequest(StorageRpc.s3Read)
  read(@Payload() request: S3ObjectRequest | null) {
    return this.s3.read(request?.key);
  }

  @OnRequest(StorageRpc.s3Delete)
  delete(@Payload() request: S3ObjectRequest | null) {
    return this.s3.delete(request?.key);
  }
}
