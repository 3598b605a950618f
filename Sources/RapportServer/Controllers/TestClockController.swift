import Hummingbird
import RapportCore
import Synchronization

/// The store's clock moved forward by hand: real time plus an offset that only grows. Exists only
/// with `--test-clock`, so that a browser test sees an SLA lapse or a reminder come due without
/// waiting hours.
public final class ClockShift: Sendable {
    private let offset = Atomic<Int64>(0)

    public init() {}

    /// Now, shifted.
    public var clock: @Sendable () -> Timestamp {
        { Timestamp(microseconds: Timestamp.now().microseconds + self.offset.load(ordering: .relaxed)) }
    }

    public func advance(seconds: Int64) {
        offset.add(seconds * 1_000_000, ordering: .relaxed)
    }
}

/// `POST /v1/test-clock` `{"advance_seconds": 14400}` (admins, and only with `--test-clock`): the
/// clock moved on; answers the new time.
struct TestClockController {
    let shift: ClockShift

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "test-clock", advance)
    }

    @Sendable func advance(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.manageAccess)
        let (body, _) = try await request.jsonBody(limit: 4_096)
        var reader = try InputReader(body)
        let seconds = reader.integer("advance_seconds", in: 1...31_536_000, message: "expected seconds from 1 to 31536000 (a year)")
        if seconds == nil, reader.object["advance_seconds"] == nil { reader.fail("advance_seconds", "is required") }
        try reader.finish()
        shift.advance(seconds: seconds ?? 0)
        return .json(["now": .string(shift.clock().rfc3339)])
    }
}
