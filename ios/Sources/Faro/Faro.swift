// The idiomatic Swift face of Faro: async functions that run the synchronous core calls off
// the caller's thread, AsyncThrowingStreams of import and sync progress, and task cancellation
// wired to Faro's CancelHandle. Records, enums and FaroError are the generated ones (FaroFFI):
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

/// What a sync reports while it runs, then once when it is done.
public enum SyncEvent: Sendable {
    /// Work in progress: stage, dataset, bytes and records.
    case progressed(ProgressReport)
    /// The sync finished; the report says what it did with each dataset.
    case finished(SyncReport)
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
        try await cancellable(onProgress) { listener, handle in
            try self.raw.importListings(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// The same import as a stream: `.progressed` while it runs, then one `.finished`.
    /// Failures end the stream with the `FaroError`; ending iteration early cancels the import.
    public func importListingsStream(file: URL) -> AsyncThrowingStream<ImportEvent, Error> {
        progressStream(ImportEvent.progressed, ImportEvent.finished) { listener, handle in
            try self.raw.importListings(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// Installs the repository root the app ships (`metadata/1.root.json`); returns its
    /// version. Throws `FaroError.NotVerified` if it is not signed by its own keys.
    public func installTrustedRoot(_ root: Data) async throws -> UInt64 {
        try await run { try self.raw.installTrustedRoot(root: root) }
    }

    /// Syncs every subscribed dataset, after subscribing to `datasets`, from the repository at
    /// `url`. Reads from other tasks keep working and see the old data until each dataset
    /// commits. Cancelling the task stops the sync (the dataset in progress is rolled back)
    /// and throws `CancellationError`.
    public func sync(
        url: String, datasets: [String] = [], settings: SyncSettings? = nil,
        onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> SyncReport {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.sync(url: url, datasets: datasets, progress: listener, cancel: handle, settings: settings)
        }
    }

    /// The same sync as a stream: `.progressed` while it runs, then one `.finished`. Failures
    /// end the stream with the `FaroError`; ending iteration early cancels the sync.
    public func syncStream(
        url: String, datasets: [String] = [], settings: SyncSettings? = nil
    ) -> AsyncThrowingStream<SyncEvent, Error> {
        progressStream(SyncEvent.progressed, SyncEvent.finished) { listener, handle in
            try self.raw.sync(url: url, datasets: datasets, progress: listener, cancel: handle, settings: settings)
        }
    }

    /// Adds `datasets` (`directory/mx`, `rights/all`, ...) to the subscriptions.
    public func subscribe(_ datasets: [String]) async throws {
        try await run { try self.raw.subscribe(datasets: datasets) }
    }

    /// Removes `datasets` from the subscriptions; their data stays readable.
    public func unsubscribe(_ datasets: [String]) async throws {
        try await run { try self.raw.unsubscribe(datasets: datasets) }
    }

    /// The subscribed datasets, sorted.
    public func subscriptions() async throws -> [String] {
        try await run { try self.raw.subscriptions() }
    }

    /// Every dataset held, its version and whether it is still confirmed current.
    public func datasetStatus() async throws -> SyncStatus {
        try await run { try self.raw.datasetStatus() }
    }

    /// Writes a bundle of `datasets` (all held when empty) to `file`, for another phone.
    public func exportBundle(to file: URL, datasets: [String] = []) async throws -> ExportReport {
        try await run { try self.raw.exportBundle(path: file.path, datasets: datasets) }
    }

    /// Verifies the bundle `file` offline and applies each dataset newer than what is held.
    /// Cancelling the task stops it (the dataset in progress is rolled back).
    public func importBundle(
        from file: URL, onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> [BundleOutcome] {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.importBundle(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// Rights articles matching `query`.
    public func rights(_ query: RightsQuery) async throws -> [ArticleHit] {
        try await run { try self.raw.rights(query: query) }
    }

    /// The article with `id`; throws `FaroError.NotFound` when there is none.
    public func article(id: String, languages: [String] = []) async throws -> Article {
        try await run { try self.raw.article(id: id, languages: languages) }
    }

    /// Who can help with article `id` near `near` (for consular help: consulates of
    /// `nationality`).
    public func articleHelp(
        id: String, near: GeoPoint? = nil, nationality: String? = nil, languages: [String] = []
    ) async throws -> [SearchHit] {
        try await run { try self.raw.articleHelp(id: id, near: near, nationality: nationality, languages: languages) }
    }

    /// Warnings that apply now (trusted time) around `near` or in all of `country`.
    public func warningsHere(
        near: GeoPoint? = nil, country: String? = nil, kinds: [WarningKind] = [], languages: [String] = []
    ) async throws -> [WarningHit] {
        try await run { try self.raw.warningsHere(near: near, country: country, kinds: kinds, languages: languages) }
    }

    /// The warning with `id`, whatever its state; throws `FaroError.NotFound` when there is none.
    public func warning(id: String, languages: [String] = []) async throws -> Warning {
        try await run { try self.raw.warning(id: id, languages: languages) }
    }

    /// Is this phone number, link, e-mail or handle real? Never answers "safe".
    public func checkContact(_ input: String, region: String? = nil, languages: [String] = []) async throws
        -> ContactCheck
    {
        try await run { try self.raw.checkContact(input: input, region: region, languages: languages) }
    }

    /// Closes the store; idempotent. Later calls throw `FaroError.closed`.
    public func close() {
        raw.closeStore()
    }

    private func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await Faro.run(on: queue, body)
    }

    /// Runs long work on the queue with a fresh `CancelHandle` that the task's cancellation
    /// trips (the blocking call stops at its next check), reporting to `onProgress`.
    private func cancellable<T>(
        _ onProgress: @escaping @Sendable (ProgressReport) -> Void,
        _ work: @escaping (ProgressListener, CancelHandle) throws -> T
    ) async throws -> T {
        let handle = CancelHandle()
        let listener = ClosureListener(onProgress)
        return try await withTaskCancellationHandler {
            do {
                return try await run { try work(listener, handle) }
            } catch FaroError.Cancelled(reason: _) {
                throw CancellationError()
            }
        } onCancel: {
            handle.cancel()
        }
    }

    /// Long work as a stream of `progressed` events ended by one `finished` event.
    private func progressStream<T, E>(
        _ progressed: @escaping (ProgressReport) -> E,
        _ finished: @escaping (T) -> E,
        _ work: @escaping (ProgressListener, CancelHandle) throws -> T
    ) -> AsyncThrowingStream<E, Error> {
        AsyncThrowingStream { continuation in
            let handle = CancelHandle()
            let listener = ClosureListener { continuation.yield(progressed($0)) }
            continuation.onTermination = { _ in handle.cancel() }
            queue.async {
                do {
                    continuation.yield(finished(try work(listener, handle)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }

    private static func run<T>(on queue: DispatchQueue, _ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
