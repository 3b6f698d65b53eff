import { type ErrorBody, type FieldProblem, statusForCode, typeForCode } from '@eks-info/contracts';

/** The design seed's error response, plus the code clients switch on and the fix. */
export interface ErrorEnvelope {
  error: true;
  code: string;
  error_type: string;
  message: string;
  details?: string;
  fix?: string;
  /** For input that failed validation: each bad field and what is wrong with it. */
  fields?: FieldProblem[];
  timestamp: string;
  request_id: string;
}

export function envelope(body: ErrorBody, requestId: string): ErrorEnvelope {
  return {
    error: true,
    code: body.code,
    error_type: typeForCode(body.code),
    message: body.message,
    ...(body.details ? { details: body.details } : {}),
    ...(body.fix ? { fix: body.fix } : {}),
    ...(body.fields?.length ? { fields: body.fields } : {}),
    timestamp: new Date().toISOString(),
    request_id: requestId,
  };
}

export { statusForCode };
