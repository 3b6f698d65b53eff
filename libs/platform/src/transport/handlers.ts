import { type ArgumentMetadata, type PipeTransform, UsePipes, applyDecorators } from '@nestjs/common';
import { EventPattern, MessagePattern, RpcException } from '@nestjs/microservices';
import { CommonErrors, type EventContract, type RpcContract, parseWith } from '@eks-info/contracts';

/**
 * Validates the payload of a handler with its contract's schema: whatever arrives on the bus
 * (from the gateway, another replica, or anything else that can publish) meets the same rules the
 * gateway applied to the HTTP input, and the handler receives the parsed value. A payload that
 * fails is answered with the domain's 400 naming each bad field; the handler never runs.
 */
class ContractPayloadPipe implements PipeTransform {
  constructor(private readonly contract: RpcContract<unknown, unknown> | EventContract<unknown>) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    const schema = this.contract.kind === 'rpc' ? this.contract.request : this.contract.schema;
    const invalid = this.contract.kind === 'rpc' ? this.contract.invalid : CommonErrors.VALIDATION;
    const parsed = parseWith(schema, value ?? {}, invalid);
    if (!parsed.ok) throw new RpcException(parsed.error);
    return parsed.value;
  }
}

type AnyRpc = RpcContract<unknown, unknown> | RpcContract<never, unknown>;
type AnyEvent = EventContract<unknown> | EventContract<never>;

/**
 * Marks a method as the handler of a request contract. Queue delivery uses the contract's
 * service as queue group (one replica answers); broadcast (`delivery: 'all'`) subscribes
 * without a group so every replica answers a `gather`. The `@Payload()` is validated with the
 * contract's request schema.
 */
export function OnRequest(contract: AnyRpc): MethodDecorator {
  return applyDecorators(
    MessagePattern(contract.subject, { queue: contract.delivery === 'all' ? '' : contract.service }),
    UsePipes(new ContractPayloadPipe(contract as RpcContract<unknown, unknown>)),
  );
}

/** Marks a method as a consumer of an event contract (queue group = the consuming service); the payload is validated. */
export function OnEvent(contract: AnyEvent): MethodDecorator {
  return applyDecorators(
    EventPattern(contract.subject, { queue: contract.delivery === 'queue' && contract.consumer ? contract.consumer : '' }),
    UsePipes(new ContractPayloadPipe(contract as EventContract<unknown>)),
  );
}
