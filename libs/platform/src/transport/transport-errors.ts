import { TransportErrors, type RpcContract } from '@eks-info/contracts';
import { RpcError } from './rpc-error';

/** The service cannot be reached: nothing subscribed, or the bus itself is down. */
export function unavailableError(contract: Pick<RpcContract<unknown, unknown>, 'service' | 'subject'>, reason: string): RpcError {
  return new RpcError({
    code: TransportErrors.UNAVAILABLE.code,
    message: `The ${contract.service} service is unavailable: ${reason}.`,
    details: `subject ${contract.subject}`,
    fix: `Check that the ${contract.service} service is running and connected to NATS (its /ready endpoint names what is missing).`,
  });
}

export function busDownError(contract: Pick<RpcContract<unknown, unknown>, 'service' | 'subject'>): RpcError {
  return new RpcError({
    code: TransportErrors.UNAVAILABLE.code,
    message: `The message bus (NATS) is disconnected, so the ${contract.service} service cannot be asked; reconnecting.`,
    details: `subject ${contract.subject}`,
    fix: 'Check that NATS is running and reachable at NATS_URL; the gateway reconnects by itself.',
  });
}

export function timeoutError(contract: Pick<RpcContract<unknown, unknown>, 'service' | 'subject'>, timeoutMs: number): RpcError {
  return new RpcError({
    code: TransportErrors.TIMEOUT.code,
    message: `The ${contract.service} service did not answer within ${timeoutMs} ms.`,
    details: `subject ${contract.subject}`,
    fix: `Look at the ${contract.service} service's logs and load; RPC_TIMEOUT_MS sets the limit.`,
  });
}
