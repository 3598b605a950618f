import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// The writer runs here, on the same thread where its SQLite statements complete, so each
/// statement resumes the writer at once instead of queueing behind request handlers for a
/// thread of the shared pool.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // The loop is thread-safe to `execute` on; nothing else is stored.
    private let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
