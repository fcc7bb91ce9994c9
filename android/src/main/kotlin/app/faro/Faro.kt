// The idiomatic Kotlin face of Faro: suspend functions that run the synchronous core calls on
// an IO dispatcher, Flows of import and sync progress, coroutine cancellation wired to Faro's
// CancelHandle, and AutoCloseable. The records, enums and errors are the generated ones
// (app.faro.ffi): Kotlin data classes, enum classes and the sealed FaroException, with
// java.time.Instant for time values.
package app.faro

import app.faro.ffi.Article
import app.faro.ffi.ArticleHit
import app.faro.ffi.AvailableDataset
import app.faro.ffi.BundleOutcome
import app.faro.ffi.CancelHandle
import app.faro.ffi.ContactCheck
import app.faro.ffi.CountRegion
import app.faro.ffi.ExportReport
import app.faro.ffi.Favorite
import app.faro.ffi.FaroException
import app.faro.ffi.FaroStore
import app.faro.ffi.GeoPoint
import app.faro.ffi.HoursAt
import app.faro.ffi.ImportSummary
import app.faro.ffi.Kind
import app.faro.ffi.KindCount
import app.faro.ffi.Listing
import app.faro.ffi.Note
import app.faro.ffi.ProgressReport
import app.faro.ffi.ProgressListener
import app.faro.ffi.RegionChoice
import app.faro.ffi.RegionSubscription
import app.faro.ffi.QueuedReport
import app.faro.ffi.ReportDraft
import app.faro.ffi.RightsQuery
import app.faro.ffi.SearchHit
import app.faro.ffi.SearchRequest
import app.faro.ffi.SendSummary
import app.faro.ffi.SyncReport
import app.faro.ffi.SyncSettings
import app.faro.ffi.SyncStatus
import app.faro.ffi.Warning
import app.faro.ffi.WarningHit
import app.faro.ffi.WarningKind
import java.io.File
import java.io.InputStream
import java.time.Instant
import java.time.LocalDateTime
import java.time.format.DateTimeFormatter
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** What an import reports while it runs, then once when it is done. */
sealed class ImportEvent {
    /** Work in progress (bytes read, records handled). */
    data class Progressed(val progress: ProgressReport) : ImportEvent()

    /** The import committed; [summary] says what it wrote. */
    data class Finished(val summary: ImportSummary) : ImportEvent()
}

/** What a sync reports while it runs, then once when it is done. */
sealed class SyncEvent {
    /** Work in progress: stage, dataset, bytes and records. */
    data class Progressed(val progress: ProgressReport) : SyncEvent()

    /** The sync finished; [report] says what it did with each dataset. */
    data class Finished(val report: SyncReport) : SyncEvent()
}

/** What sending the report outbox reports while it runs, then once when it is done. */
sealed class SendReportsEvent {
    /** Work in progress: `recordsDone` of `recordsTotal` reports handled. */
    data class Progressed(val progress: ProgressReport) : SendReportsEvent()

    /** The send finished; [summary] says what became of each report tried. */
    data class Finished(val summary: SendSummary) : SendReportsEvent()
}

/** Opening hours judged at a wall-clock time in each listing's own time zone. */
fun HoursAt.Companion.localTime(time: LocalDateTime): HoursAt =
    HoursAt.LocalTime(time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")))

/** Opening hours judged at an instant. */
fun HoursAt.Companion.instant(time: Instant): HoursAt = HoursAt.Instant(time)

/**
 * An open Faro store. Every call is main-safe: it runs on [dispatcher] (IO by default).
 * Errors are [FaroException] subclasses (Network, NotVerified, BadInput, Storage, Damaged,
 * NotFound, Cancelled, Closed, Busy, Locked, WrongKey, NoReceiver, Internal), each with a readable `reason`: Damaged is a
 * damaged database (offer to sync again), NotVerified also a bundle file that is not one or
 * was altered, Internal a defect to report.
 */
class Faro private constructor(
    private val store: FaroStore,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        /** The folder [openDefault] keeps the store in, inside the app's data directory. */
        const val DEFAULT_FOLDER = "faro"

        /** Opens (or creates) the store in [directory]. */
        suspend fun open(directory: File, dispatcher: CoroutineDispatcher = Dispatchers.IO): Faro =
            withContext(dispatcher) { Faro(FaroStore.open(directory.path), dispatcher) }

        /**
         * Opens (or creates) the store in the folder [DEFAULT_FOLDER] of [appDataDir]. On
         * Android call `Faro.openDefault(context)`, which passes `context.noBackupFilesDir`: the
         * directory can be downloaded again and must not go into cloud backups (where a copy of
         * what a person looked up would outlive the phone), and it sits in credential-encrypted
         * storage that a background sync can use once the phone has been unlocked after boot.
         * On the desktop JVM pass the application's own data directory.
         */
        suspend fun openDefault(appDataDir: File, dispatcher: CoroutineDispatcher = Dispatchers.IO): Faro =
            open(File(appDataDir, DEFAULT_FOLDER), dispatcher)
    }

    /** Searches offline: text, place, filters and opening hours together. */
    suspend fun search(request: SearchRequest): List<SearchHit> = io { store.search(request) }

    /** The [limit] listings nearest to [near], nearest first. */
    suspend fun nearest(
        near: GeoPoint,
        kinds: List<Kind> = emptyList(),
        openNow: Boolean = false,
        languages: List<String> = emptyList(),
        limit: UInt = 20u,
    ): List<SearchHit> = io { store.nearest(near, kinds, openNow, languages, limit) }

    /** The listing with [id]; throws [FaroException.NotFound] when there is none. */
    suspend fun listing(id: String, languages: List<String> = emptyList(), at: HoursAt? = null): Listing =
        io { store.listing(id, languages, at) }

    /** Listings per kind in [region]. */
    suspend fun counts(region: CountRegion = CountRegion.All): Map<Kind, ULong> =
        io { store.counts(region).associate { it.kind to it.count } }

    /** Listings per kind, as the core returns them (every kind, zeros included). */
    suspend fun kindCounts(region: CountRegion = CountRegion.All): List<KindCount> = io { store.counts(region) }

    /** Number of listings stored. */
    suspend fun listingCount(): ULong = io { store.listingCount() }

    /**
     * Imports a faro-listings file. Cancelling the calling coroutine cancels the import, which
     * then keeps nothing, and rethrows the cancellation.
     */
    suspend fun importListings(file: File, onProgress: (ProgressReport) -> Unit = {}): ImportSummary =
        cancellable(onProgress) { listener, handle -> store.importListings(file.path, listener, handle) }

    /**
     * The same import as a cold [Flow]: [ImportEvent.Progressed] while it runs, then one
     * [ImportEvent.Finished]. Failures end the flow with the [FaroException]; a collector that
     * stops collecting cancels the import (nothing is kept).
     */
    fun importListingsFlow(file: File): Flow<ImportEvent> =
        progressFlow(ImportEvent::Progressed, ImportEvent::Finished) { listener, handle ->
            store.importListings(file.path, listener, handle)
        }

    /**
     * Installs the repository root the app ships (`metadata/1.root.json`); returns its version.
     * Throws [FaroException.NotVerified] if it is not signed by its own keys.
     */
    suspend fun installTrustedRoot(root: ByteArray): ULong = io { store.installTrustedRoot(root) }

    /**
     * Syncs every subscribed dataset, after subscribing to [datasets], from the repository at
     * [url]. Reads on other coroutines keep working and see the old data until each dataset
     * commits. Cancelling the calling coroutine stops the sync (the dataset in progress is
     * rolled back) and rethrows the cancellation.
     */
    suspend fun sync(
        url: String,
        datasets: List<String> = emptyList(),
        settings: SyncSettings? = null,
        onProgress: (ProgressReport) -> Unit = {},
    ): SyncReport = cancellable(onProgress) { listener, handle -> store.sync(url, datasets, listener, handle, settings) }

    /**
     * The same sync as a cold [Flow]: [SyncEvent.Progressed] while it runs, then one
     * [SyncEvent.Finished]. Failures end the flow with the [FaroException]; a collector that
     * stops collecting cancels the sync.
     */
    fun syncFlow(url: String, datasets: List<String> = emptyList(), settings: SyncSettings? = null): Flow<SyncEvent> =
        progressFlow(SyncEvent::Progressed, SyncEvent::Finished) { listener, handle ->
            store.sync(url, datasets, listener, handle, settings)
        }

    /** Adds [datasets] (`directory/mx`, `rights/all`, ...) to the subscriptions. */
    suspend fun subscribe(vararg datasets: String) = io { store.subscribe(datasets.toList()) }

    /** Removes [datasets] from the subscriptions; their data stays readable. */
    suspend fun unsubscribe(vararg datasets: String) = io { store.unsubscribe(datasets.toList()) }

    /** The subscribed datasets, sorted. */
    suspend fun subscriptions(): List<String> = io { store.subscriptions() }

    /**
     * Every dataset the repository at [url] offers (name, content, region, records, size of a
     * first download, publisher, whether subscribed), verified from the installed root as a
     * sync verifies it. Downloads metadata only.
     */
    suspend fun availableDatasets(url: String, settings: SyncSettings? = null): List<AvailableDataset> =
        io { store.availableDatasets(url, settings) }

    /**
     * Subscribes to the datasets of [url] for [region] (countries, or a point and radius), by
     * the regions publishers sign; datasets with no known region come back in `unplaced`.
     * Then [sync] fetches them.
     */
    suspend fun subscribeRegion(url: String, region: RegionChoice, settings: SyncSettings? = null): RegionSubscription =
        io { store.subscribeRegion(url, region, settings) }

    /** Every dataset held, its version and whether it is still confirmed current. */
    suspend fun datasetStatus(): SyncStatus = io { store.datasetStatus() }

    /** Writes a bundle of [datasets] (all held when empty) to [file], for another phone. */
    suspend fun exportBundle(file: File, datasets: List<String> = emptyList()): ExportReport =
        io { store.exportBundle(file.path, datasets) }

    /**
     * Verifies the bundle [file] offline and applies each dataset newer than what is held.
     * Cancelling the calling coroutine stops it (the dataset in progress is rolled back).
     */
    suspend fun importBundle(file: File, onProgress: (ProgressReport) -> Unit = {}): List<BundleOutcome> =
        cancellable(onProgress) { listener, handle -> store.importBundle(file.path, listener, handle) }

    /**
     * [importBundle] for a bundle in memory, such as the first-run bundle an app ships in its
     * assets (`context.assets.open("faro.bundle").use { it.readBytes() }`). Prefer the
     * [InputStream] overload for large bundles: it does not hold the whole file in memory.
     */
    suspend fun importBundle(bundle: ByteArray, onProgress: (ProgressReport) -> Unit = {}): List<BundleOutcome> =
        cancellable(onProgress) { listener, handle -> store.importBundleBytes(bundle, listener, handle) }

    /**
     * [importBundle] from a stream, such as `context.assets.open("faro.bundle")` or a
     * `ContentResolver` stream of a file another phone sent: the stream is copied to a scratch
     * file in the store's directory (removed afterwards, whatever happens), then verified and
     * applied. The caller closes [input]. Cancelling the calling coroutine stops the copy or
     * the import.
     */
    suspend fun importBundle(input: InputStream, onProgress: (ProgressReport) -> Unit = {}): List<BundleOutcome> {
        val scratch = io { File.createTempFile(".faro-bundle-stream-", ".tmp", File(store.directory())) }
        try {
            withContext(dispatcher) {
                scratch.outputStream().use { out ->
                    val buffer = ByteArray(64 * 1024)
                    while (true) {
                        val n = input.read(buffer)
                        if (n < 0) break
                        out.write(buffer, 0, n)
                        ensureActive()
                    }
                }
            }
            return importBundle(scratch, onProgress)
        } finally {
            withContext(NonCancellable) { scratch.delete() }
        }
    }

    /** Rights articles matching [query]. */
    suspend fun rights(query: RightsQuery): List<ArticleHit> = io { store.rights(query) }

    /** The article with [id]; throws [FaroException.NotFound] when there is none. */
    suspend fun article(id: String, languages: List<String> = emptyList()): Article = io { store.article(id, languages) }

    /** Who can help with article [id] near [near] (for consular help: consulates of [nationality]). */
    suspend fun articleHelp(
        id: String,
        near: GeoPoint? = null,
        nationality: String? = null,
        languages: List<String> = emptyList(),
    ): List<SearchHit> = io { store.articleHelp(id, near, nationality, languages) }

    /** Warnings that apply now (trusted time) around [near] or in all of [country]. */
    suspend fun warningsHere(
        near: GeoPoint? = null,
        country: String? = null,
        kinds: List<WarningKind> = emptyList(),
        languages: List<String> = emptyList(),
    ): List<WarningHit> = io { store.warningsHere(near, country, kinds, languages) }

    /** The warning with [id], whatever its state; throws [FaroException.NotFound] when there is none. */
    suspend fun warning(id: String, languages: List<String> = emptyList()): Warning = io { store.warning(id, languages) }

    /** Is this phone number, link, e-mail or handle real? Never answers "safe". */
    suspend fun checkContact(input: String, region: String? = null, languages: List<String> = emptyList()): ContactCheck =
        io { store.checkContact(input, region, languages) }

    /**
     * Opens the person's saved places and notes with [key]: 32 random bytes the app made once
     * and keeps wrapped by an Android Keystore key, never in a file or a backup (docs/privacy.md).
     * Throws [FaroException.WrongKey] if the data was made with another key (nothing changes),
     * [FaroException.BadInput] if the key is not 32 bytes.
     */
    suspend fun unlockPersonalData(key: ByteArray) = io { store.unlockPersonalData(key) }

    /** Closes the personal data and drops the keys derived from the app's key; idempotent. */
    fun lockPersonalData() = store.lockPersonalData()

    /** Whether [unlockPersonalData] succeeded and nothing locked it since. */
    fun isPersonalDataUnlocked(): Boolean = store.isPersonalDataUnlocked()

    /** Saves listing [listingId], with an optional [label]; true if it was not saved yet. */
    suspend fun addFavorite(listingId: String, label: String? = null): Boolean =
        io { store.addFavorite(listingId, label) }

    /** Removes the saved listing [listingId]; true if it was saved. */
    suspend fun removeFavorite(listingId: String): Boolean = io { store.removeFavorite(listingId) }

    /** Whether listing [listingId] is saved. */
    suspend fun isFavorite(listingId: String): Boolean = io { store.isFavorite(listingId) }

    /** Saved places, oldest first, with the directory's current names and whether it still has them. */
    suspend fun favorites(languages: List<String> = emptyList()): List<Favorite> = io { store.favorites(languages) }

    /** Writes a note, optionally about listing [listingId]; returns its id. */
    suspend fun addNote(text: String, listingId: String? = null): ULong = io { store.addNote(text, listingId) }

    /** Replaces note [id]'s text; throws [FaroException.NotFound] when there is none. */
    suspend fun editNote(id: ULong, text: String) = io { store.editNote(id, text) }

    /** Removes note [id]; true if it existed. */
    suspend fun removeNote(id: ULong): Boolean = io { store.removeNote(id) }

    /** The notes, oldest first; only those about [listingId] when given. */
    suspend fun notes(listingId: String? = null): List<Note> = io { store.notes(listingId) }

    /**
     * Erases saved places, notes and anything else personal Faro keeps; needs no key, and the
     * directory keeps answering. Delete the key from the Keystore too: that is what makes any
     * copy the flash storage kept unreadable.
     */
    suspend fun forgetPersonalData() = io { store.forgetPersonalData() }

    // --- Reports from the field (issue 11) ---------------------------------------------------

    /**
     * Writes a report: checked, its place rounded unless marked precise, sealed at once to the
     * receiver key in the repository's signed metadata and queued (it survives restarts).
     * Throws [FaroException.NoReceiver] before a sync named a receiver (sync first) and
     * [FaroException.BadInput] naming the field for a draft that cannot be sent.
     */
    suspend fun report(draft: ReportDraft): QueuedReport = io { store.report(draft) }

    /** Every report in the outbox, newest first: kind, listing id and where it stands. */
    suspend fun reports(): List<QueuedReport> = io { store.reports() }

    /** Cancels a queued report (never sent, its sealed copy deleted); returns its row. */
    suspend fun cancelReport(id: Long): QueuedReport = io { store.cancelReport(id) }

    /** Removes finished reports (sent, refused, cancelled) from the outbox; returns how many. */
    suspend fun forgetReports(): ULong = io { store.forgetReports() }

    /**
     * Sends the waiting reports that are due (all waiting ones with [sendNow]) to the receiver
     * the signed metadata names; each reaches it once. A report the receiver does not take now
     * stays queued for later and the send stops there (see the summary). Cancelling the
     * calling coroutine stops it (the report in flight stays queued) and rethrows the
     * cancellation.
     */
    suspend fun sendReports(
        settings: SyncSettings? = null,
        sendNow: Boolean = false,
        onProgress: (ProgressReport) -> Unit = {},
    ): SendSummary = cancellable(onProgress) { listener, handle -> store.sendReports(listener, handle, settings, sendNow) }

    /**
     * The same send as a cold [Flow]: [SendReportsEvent.Progressed] per report, then one
     * [SendReportsEvent.Finished]. Failures end the flow with the [FaroException]; a collector
     * that stops collecting cancels the send.
     */
    fun sendReportsFlow(settings: SyncSettings? = null, sendNow: Boolean = false): Flow<SendReportsEvent> =
        progressFlow(SendReportsEvent::Progressed, SendReportsEvent::Finished) { listener, handle ->
            store.sendReports(listener, handle, settings, sendNow)
        }

    // --- End of reports ----------------------------------------------------------------------

    /** Closes the store; idempotent. Later calls throw [FaroException.Closed]. */
    /** The store's directory, as given to [open]. */
    fun directory(): File = File(store.directory())

    /** Whether [close] was called. */
    fun isClosed(): Boolean = store.isClosed()

    override fun close() = store.closeStore()

    /** The generated object, for calls this layer does not wrap. */
    val raw: FaroStore get() = store

    private suspend fun <T> io(block: () -> T): T = withContext(dispatcher) { block() }

    /**
     * Runs long work on the dispatcher with a fresh [CancelHandle] that the calling
     * coroutine's cancellation trips (the blocking call cannot be interrupted; the handle
     * stops it at its next check), and a listener forwarding to [onProgress].
     */
    private suspend fun <T> cancellable(
        onProgress: (ProgressReport) -> Unit,
        work: (ProgressListener, CancelHandle) -> T,
    ): T = coroutineScope {
        val handle = CancelHandle()
        val listener = object : ProgressListener {
            override fun onProgress(progress: ProgressReport) = onProgress(progress)
        }
        val job = async(dispatcher) {
            try {
                work(listener, handle)
            } catch (e: FaroException.Cancelled) {
                // Only this coroutine's cancellation trips the handle: report it as one.
                throw CancellationException(e.reason).apply { initCause(e) }
            }
        }
        try {
            job.await()
        } catch (e: CancellationException) {
            handle.cancel()
            throw e
        } finally {
            handle.close()
        }
    }

    /** Long work as a cold Flow of [progressed] events ended by one [finished] event. */
    private fun <T, E> progressFlow(
        progressed: (ProgressReport) -> E,
        finished: (T) -> E,
        work: (ProgressListener, CancelHandle) -> T,
    ): Flow<E> = callbackFlow {
        val handle = CancelHandle()
        val listener = object : ProgressListener {
            // A report that does not fit the buffer is dropped; the final event never is.
            override fun onProgress(progress: ProgressReport) {
                trySend(progressed(progress))
            }
        }
        launch(dispatcher) {
            try {
                send(finished(work(listener, handle)))
                channel.close()
            } catch (e: FaroException.Cancelled) {
                // Only the collector going away trips the handle: report it as a cancellation,
                // as suspend calls do, never as an error.
                channel.close(CancellationException(e.reason).apply { initCause(e) })
            } catch (e: FaroException) {
                channel.close(e)
            }
        }
        awaitClose { handle.cancel() }
    }
}
