import Hummingbird
import Logging
import Metrics
import Prometheus
import RapportCore

/// Counts requests and records their latency per route and status through swift-metrics, and
/// logs one line per request. Latency runs to the end of the response body, so a streamed
/// response counts its whole time, not the moment its head was ready.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var durationLabel: String { "rapport_http_request_duration_seconds" }
    static var countLabel: String { "rapport_http_requests_total" }

    /// The application's own factory (tests run several applications, each with its registry).
    let factory: any MetricsFactory
    /// What latency is measured on (tests move it by hand).
    let clock: any Clock<Duration>

    init(registry: PrometheusCollectorRegistry, clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = clock
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.durationLabel] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let elapsed = Self.stopwatch(clock)
        var response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = response.status.code
        let logger = context.logger
        let factory = self.factory
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer {
                let elapsed = elapsed()
                Counter(label: Self.countLabel, dimensions: [("method", method), ("route", route), ("status", String(status))],
                        factory: factory).increment()
                Metrics.Timer(label: Self.durationLabel, dimensions: [("method", method), ("route", route)], factory: factory)
                    .recordNanoseconds(elapsed.nanoseconds)
                logger.log(level: status >= 500 ? .error : .debug, "request", metadata: [
                    "method": "\(method)", "path": "\(request.uri.path)", "status": "\(status)",
                    "duration_ms": "\(Double(elapsed.nanoseconds) / 1_000_000)",
                ])
            }
            try await body.write(writer)
        }
        response.headers[.requestID] = context.id
        return response
    }

    /// A function that tells the time passed on `clock` since the stopwatch was made.
    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }
}
