// The idiomatic Swift face of Faro: async functions that run the synchronous core calls off
// the caller's thread, an AsyncThrowingStream of import progress, and task cancellation wired
// to Faro's CancelHandle. Records, enums and FaroError are the generated ones (FaroFFI):
// Swift structs and enums, with Date for time values.
import Foundation
@_exported import FaroFFI

/// What an import reports while it runs, then once when it is done.
public enum ImportEvent: Sendable {
    /// Work in progress (bytes read, records handled).
    case progressed(ProgressReport)
    /// The import committed; the summary says what it wrote.
    case finished(ImportSummary)
}

extension HoursAt {
    /// Opening hours judged at a wall-clock time in each listing's own time zone.
    public static func localTime(year: Int, month: Int, day: Int, hour: Int, minute: Int) -> HoursAt {
        .localTime(dateTime: String(format: "%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute))
    }
}

/// Forwards progress reports to a closure.
private final class ClosureListener: ProgressListener, @unchecked Sendable {
    let body: (ProgressReport) -> Void
    init(_ body: @escaping (ProgressReport) -> Void) { self.body = body }
    func onProgress(progress: ProgressReport) { body(progress) }
}

/// An open Faro store. Every call runs on a background queue; errors are `FaroError`
/// (network, notVerified, badInput, storage, notFound, cancelled, closed, internal), each
/// with a readable `reason`.
public final class Faro: @unchecked Sendable {
    /// The generated object, for calls this layer does not wrap.
    public let raw: FaroStore
    private let queue: DispatchQueue

    private init(raw: FaroStore, queue: DispatchQueue) {
        self.raw = raw
        self.queue = queue
    }

    /// Opens (or creates) the store in `directory`.
    public static func open(directory: URL, queue: DispatchQueue = .global(qos: .userInitiated)) async throws -> Faro {
        let store = try await run(on: queue) { try FaroStore.open(dir: directory.path) }
        return Faro(raw: store, queue: queue)
    }

    /// Searches offline: text, place, filters and opening hours together.
    public func search(_ request: SearchRequest) async throws -> [SearchHit] {
        try await run { try self.raw.search(request: request) }
    }

    /// The `limit` listings nearest to `near`, nearest first.
    public func nearest(
        _ near: GeoPoint, kinds: [Kind] = [], openNow: Bool = false, languages: [String] = [], limit: UInt32 = 20
    ) async throws -> [SearchHit] {
        try await run {
            try self.raw.nearest(near: near, kinds: kinds, openNow: openNow, languages: languages, limit: limit)
        }
    }

    /// The listing with `id`; throws `FaroError.notFound` when there is none.
    public func listing(id: String, languages: [String] = [], at: HoursAt? = nil) async throws -> Listing {
        try await run { try self.raw.listing(id: id, languages: languages, at: at) }
    }

    /// Listings per kind in `region` (closed ones not counted).
    public func counts(_ region: CountRegion = .all) async throws -> [Kind: UInt64] {
        let counts = try await run { try self.raw.counts(region: region) }
        return Dictionary(uniqueKeysWithValues: counts.map { ($0.kind, $0.count) })
    }

    /// Number of listings stored.
    public func listingCount() async throws -> UInt64 {
        try await run { try self.raw.listingCount() }
    }

    /// Imports a faro-listings file. Cancelling the task cancels the import, which then keeps
    /// nothing and throws `CancellationError`.
    public func importListings(
        file: URL, onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> ImportSummary {
        let handle = CancelHandle()
        let listener = ClosureListener(onProgress)
        return try await withTaskCancellationHandler {
            do {
                return try await run { try self.raw.importListings(path: file.path, progress: listener, cancel: handle) }
            } catch FaroError.Cancelled(reason: _) {
                throw CancellationError()
            }
        } onCancel: {
            handle.cancel()
        }
    }

    /// The same import as a stream: `.progressed` while it runs, then one `.finished`.
    /// Failures end the stream with the `FaroError`; ending iteration early cancels the import.
    public func importListingsStream(file: URL) -> AsyncThrowingStream<ImportEvent, Error> {
        AsyncThrowingStream { continuation in
            let handle = CancelHandle()
            let listener = ClosureListener { continuation.yield(.progressed($0)) }
            continuation.onTermination = { _ in handle.cancel() }
            queue.async {
                do {
                    let summary = try self.raw.importListings(path: file.path, progress: listener, cancel: handle)
                    continuation.yield(.finished(summary))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }

    /// Closes the store; idempotent. Later calls throw `FaroError.closed`.
    public func close() {
        raw.closeStore()
    }

    private func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await Faro.run(on: queue, body)
    }

    private static func run<T>(on queue: DispatchQueue, _ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
