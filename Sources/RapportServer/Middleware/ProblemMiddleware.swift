import Hummingbird
import Logging
import NIOCore
import RapportCore
import RapportStore

/// Turns every error into an RFC 9457 problem response; internal details go to the log only.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The registered routes, to tell a path that lacks the method (405) from one that does not exist (404).
    let catalog: RouteCatalog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Self.problem(for: error, request: request, context: context)
            if problem.status == .notFound, error is HTTPError {
                let allowed = catalog.allowedMethods(for: request.uri.path)
                if !allowed.isEmpty {
                    problem = Problem(status: .methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                                      detail: "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method)",
                                      headers: [.allow: allowed.joined(separator: ", ")])
                }
            }
            var headers = problem.headers
            headers[.contentType] = "application/problem+json"
            return Response.bytes(problem.json(instance: request.uri.path, requestID: context.id).serialized(),
                                  status: problem.status, contentType: "application/problem+json", headers: headers)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let failure as ValidationFailure:
            return .invalid(failure)
        case let storeError as StoreError:
            if storeError.code == .unavailable {
                context.logger.error("store unavailable", metadata: ["error": "\(storeError)"])
            }
            return .from(storeError)
        case let httpError as HTTPError:
            let title = httpError.status.reasonPhrase
            return Problem(status: httpError.status, type: httpError.status == .notFound ? "not-found" : "http-error",
                           title: title, detail: httpError.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : nil)
        case is NIOTooManyBytesError:
            return Problem(status: .contentTooLarge, type: "body-too-large", title: "Request body too large")
        default:
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(status: .internalServerError, type: "internal", title: "Internal server error",
                           detail: "the error was logged with this request id")
        }
    }
}
