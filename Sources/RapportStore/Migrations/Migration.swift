import RapportCore
import SQLKit

/// One versioned step of the schema; its statements run in one transaction.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: @Sendable (SQLFlavor) -> [String]
    /// Rows to add after the statements (seed data), given a transaction.
    let seed: (@Sendable (WriteTransaction) async throws -> Void)?

    init(version: Int, name: String, statements: @escaping @Sendable (SQLFlavor) -> [String],
         seed: (@Sendable (WriteTransaction) async throws -> Void)? = nil) {
        self.version = version
        self.name = name
        self.statements = statements
        self.seed = seed
    }
}

/// Every migration, in order. Append; never edit one that has shipped.
enum Migrations {
    static let all: [Migration] = [initialSchema, mergesAndVersions, duplicates, webhooks, webhookQueue, routing, consumerLeases, signIn, inboxCounts, dailyInteractionCounts,
                                   customerSearch, mail, mailOut, mailboxes, calls, meetings, chatFiles, meetingAttendees, notes, handoffSteps,
                                   directoryGeneration, notificationDigests, records, recordStages, recordFieldsBinary, segments, imports, processes, processEvents,
                                   processActions, unsubscribeLinks, ingestIndexes]
}
