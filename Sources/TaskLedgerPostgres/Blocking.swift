import Foundation
import TaskLedgerCore

/// Runs PostgresNIO's async code for the library's synchronous API, blocking the calling thread
/// until it finishes. The one bridge between the two worlds: the CLI is synchronous, and so is
/// ``LedgerStore``. Do not call it from a task on Swift's cooperative pool (the pool could be
/// exhausted by threads waiting here); the CLI calls it from its main thread.
package func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Outcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            outcome.result = .success(try await body())
        } catch {
            outcome.result = .failure(error)
        }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// Handed from the task to the waiting thread; the semaphore orders the write before the read.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
