// The API's refusals. Every handler throws ApiError; the server turns it into
// {"error": code, "error_description": message} with the status. Token problems use common's TokenError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const invalidRequest = (description: string) => new ApiError(400, 'invalid_request', description);
export const notFound = (description = 'not found') => new ApiError(404, 'not_found', description);
