import RapportCore
import Foundation

/// Issues `total` operations at `perSecond`, paced by the clock, with at most `maxInFlight`
/// running at once; returns when all are done, with how many failed and when the last was issued
/// (microseconds since 1970).
func pacedLoad(total: Int, perSecond: Double, maxInFlight: Int,
               _ operation: @escaping @Sendable (Int) async throws -> Void) async -> (failures: Int, issuedEnd: Int64) {
    let inFlight = Counter()
    let failures = Counter()
    let clockStart = ContinuousClock.now
    let issuedEnd = await withDiscardingTaskGroup { group in
        var issued = 0
        while issued < total {
            let seconds = (ContinuousClock.now - clockStart) / .seconds(1)
            let due = min(total, Int(seconds * perSecond) + 1)
            while issued < due, inFlight.value < maxInFlight {
                let number = issued
                inFlight.add(1)
                group.addTask {
                    do { try await operation(number) } catch { failures.add(1) }
                    inFlight.add(-1)
                }
                issued += 1
            }
            if issued < total { try? await Task.sleep(for: .milliseconds(1)) }
        }
        return Timestamp.now().microseconds
    }
    return (failures.value, issuedEnd)
}
