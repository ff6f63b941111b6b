/**
 * GitLab's error responses (spec §1.2), as exceptions a handler throws and the server renders.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
    this.name = "ApiError";
  }
}

const WWW_AUTHENTICATE_REALM = "Protected by OAuth 2.0";

export const TOKEN_EXPIRED = "Token is expired. You can either do re-authorization or token refresh.";
export const TOKEN_REVOKED = "Token was revoked. You have to re-authorize from the user.";
export const INSUFFICIENT_SCOPE = "The request requires higher privileges than provided by the access token.";

/** 401 `{"message":"401 Unauthorized"}` — no token, unknown token, or `unauthorized!`. */
export function unauthorized(reason?: string): ApiError {
  return new ApiError(401, { message: reason ? `401 Unauthorized - ${reason}` : "401 Unauthorized" });
}

/** 401 with the OAuth `invalid_token` body and `WWW-Authenticate`, for expired and revoked tokens. */
export function invalidToken(description: string): ApiError {
  return new ApiError(
    401,
    { error: "invalid_token", error_description: description },
    {
      "www-authenticate": `Bearer realm="${WWW_AUTHENTICATE_REALM}", error="invalid_token", error_description="${description}"`,
    },
  );
}

/** 403 `insufficient_scope`, naming the scopes the endpoint accepts. */
export function insufficientScope(scopes: readonly string[]): ApiError {
  return new ApiError(403, {
    error: "insufficient_scope",
    error_description: INSUFFICIENT_SCOPE,
    scope: scopes.join(" "),
  });
}

export function forbidden(reason?: string): ApiError {
  return new ApiError(403, { message: reason ? `403 Forbidden - ${reason}` : "403 Forbidden" });
}

/** `bad_request!`: note GitLab's lowercase "request". */
export function badRequest(reason?: string): ApiError {
  return new ApiError(400, { message: reason ? `400 Bad request - ${reason}` : "400 Bad request" });
}

/** `not_found!(thing)`: `404 <Thing> Not Found`, or `404 Not Found`. */
export function notFound(thing?: string): ApiError {
  return new ApiError(404, { message: thing ? `404 ${thing} Not Found` : "404 Not Found" });
}

/** `ActiveRecord::RecordNotFound` escaping an endpoint: lowercase "found". */
export function recordNotFound(): ApiError {
  return new ApiError(404, { message: "404 Not found" });
}

export function notAllowed(): ApiError {
  return new ApiError(405, { message: "405 Method Not Allowed" });
}

export function conflict(message: string): ApiError {
  return new ApiError(409, { message });
}

/** `render_api_error!(msg, 400)`: the message as it is, without `bad_request!`'s "400 Bad request - ". */
export function badRequestMessage(message: string): ApiError {
  return new ApiError(400, { message });
}

/** `render_api_error!(msg, 422)`. */
export function unprocessable(message: string): ApiError {
  return new ApiError(422, { message });
}

/** Grape parameter validation: `{"error":"name is missing, scopes does not have a valid value"}`. */
export function paramErrors(messages: readonly string[]): ApiError {
  return new ApiError(400, { error: messages.join(", ") });
}

/** `render_validation_error!`: `{"message":{"key":["(X) has already been taken"]}}`. */
export function validationErrors(errors: Record<string, string[]>): ApiError {
  return new ApiError(400, { message: errors });
}

/** Unknown route. */
export function routeNotFound(): ApiError {
  return new ApiError(404, { error: "404 Not Found" });
}

/** Rails' `to_sentence`: "a", "a and b", "a, b, and c". */
export function toSentence(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(", ")}, and ${items[items.length - 1]}`;
}

/** A failed model validation inside a service; each endpoint decides its status (400 or 422). */
export class ModelError extends Error {
  constructor(readonly messages: string[]) {
    super(toSentence(messages));
    this.name = "ModelError";
  }
}
