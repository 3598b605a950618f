import RapportCore
import RapportStore

/// What every route needs: the writer its changes commit through, the idempotency record that
/// makes a retried POST safe, the limits, and the identity rules. Each controller is given the
/// area stores it uses besides.
struct Services: Sendable {
    let writer: any TransactionWriter
    let access: any AccessStore
    let normalizer: IdentityNormalizer
    let configuration: ServerConfiguration
}
