import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type EfsFileRequest, type EfsViewRequest, type EfsWriteRequest, StorageRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { EfsService } from './efs.service';

@Controller()
export class EfsMessageController {
  constructor(private readonly efs: EfsService) {}

  @OnRequest(StorageRpc.efs)
  view(@Payload() request: EfsViewRequest | null) {
    return this.efs.view(request?.limit);
  }

  @OnRequest(StorageRpc.efsWrite)
  write(@Payload() request: EfsWriteRequest) {
    return this.efs.write(request);
  }

  @OnRequest(StorageRpc.efsRead)
  read(@Payload() request: EfsFileRequest | null) {
    return this.efs.read(request?.name);
  }

  @OnRequest(StorageRpc.efsDelete)
  delete(@Payload() request: EfsFileRequest | null) {
    return this.efs.delete(request?.name);
  }
}
