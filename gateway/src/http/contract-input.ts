import { type ErrorDefinition, type RpcContract, type z, parseWith } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';

/**
 * The request a contract accepts, parsed from HTTP input (query string, JSON or form body, path
 * parameters) with the contract's own schema — the one the service validates with again. Bad
 * input is a 400 with the domain's code that names each bad field, thrown before any bus call.
 */
export function requestFrom<Req>(contract: RpcContract<Req, unknown>, raw: unknown): Req {
  return parseInput(contract.request, raw, contract.invalid);
}

/** HTTP input parsed with a schema of the contracts library (e.g. a stress form's fields); a 400 otherwise. */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, invalid: ErrorDefinition): T {
  const parsed = parseWith(schema, raw ?? {}, invalid);
  if (!parsed.ok) throw new RpcError(parsed.error);
  return parsed.value;
}
