import Hummingbird
import Logging
import Prometheus
import RapportCore

/// Counts requests and records their latency per route and status, and logs one line per request.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    static var buckets: [Duration] {
        [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
         .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "rapport_http_requests", unitName: "total",
                                                              helpText: "HTTP requests by route and status"),
                             labels: [("method", method), ("route", route), ("status", String(response.status.code))])
            .increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "rapport_http_request_duration", unitName: "seconds",
                                             helpText: "HTTP request latency"),
            labels: [("method", method), ("route", route)], buckets: Self.buckets
        ).recordNanoseconds(elapsed.nanoseconds)
        response.headers[.requestID] = context.id
        context.logger.log(level: response.status.code >= 500 ? .error : .debug, "request", metadata: [
            "method": "\(method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "duration_ms": "\(Double(elapsed.nanoseconds) / 1_000_000)",
        ])
        return response
    }
}
