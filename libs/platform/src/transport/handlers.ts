import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { EventContract, RpcContract } from '@eks-info/contracts';

/**
 * Marks a method as the handler of a request contract. Queue delivery uses the contract's
 * service as queue group (one replica answers); broadcast (`delivery: 'all'`) subscribes
 * without a group so every replica answers a `gather`.
 */
export function OnRequest(contract: RpcContract<unknown, unknown> | RpcContract<never, unknown>): MethodDecorator {
  return MessagePattern(contract.subject, { queue: contract.delivery === 'all' ? '' : contract.service });
}

/** Marks a method as a consumer of an event contract (queue group = the consuming service). */
export function OnEvent(contract: EventContract<unknown> | EventContract<never>): MethodDecorator {
  return EventPattern(contract.subject, { queue: contract.delivery === 'queue' && contract.consumer ? contract.consumer : '' });
}
