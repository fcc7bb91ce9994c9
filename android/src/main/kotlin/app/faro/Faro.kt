// The idiomatic Kotlin face of Faro: suspend functions that run the synchronous core calls on
// an IO dispatcher, a Flow of import progress, and AutoCloseable. The records, enums and errors
// are the generated ones (app.faro.ffi): Kotlin data classes, enum classes and the sealed
// FaroException, with java.time.Instant for time values.
package app.faro

import app.faro.ffi.CancelHandle
import app.faro.ffi.CountRegion
import app.faro.ffi.FaroException
import app.faro.ffi.FaroStore
import app.faro.ffi.GeoPoint
import app.faro.ffi.HoursAt
import app.faro.ffi.ImportSummary
import app.faro.ffi.Kind
import app.faro.ffi.KindCount
import app.faro.ffi.Listing
import app.faro.ffi.ProgressReport
import app.faro.ffi.ProgressListener
import app.faro.ffi.SearchHit
import app.faro.ffi.SearchRequest
import java.io.File
import java.time.Instant
import java.time.LocalDateTime
import java.time.format.DateTimeFormatter
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.coroutineScope
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

/** Opening hours judged at a wall-clock time in each listing's own time zone. */
fun HoursAt.Companion.localTime(time: LocalDateTime): HoursAt =
    HoursAt.LocalTime(time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")))

/** Opening hours judged at an instant. */
fun HoursAt.Companion.instant(time: Instant): HoursAt = HoursAt.Instant(time)

/**
 * An open Faro store. Every call is main-safe: it runs on [dispatcher] (IO by default).
 * Errors are [FaroException] subclasses (Network, NotVerified, BadInput, Storage, NotFound,
 * Cancelled, Closed, Internal), each with a readable `reason`.
 */
class Faro private constructor(
    private val store: FaroStore,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        /** Opens (or creates) the store in [directory]. */
        suspend fun open(directory: File, dispatcher: CoroutineDispatcher = Dispatchers.IO): Faro =
            withContext(dispatcher) { Faro(FaroStore.open(directory.path), dispatcher) }
    }

    /** Searches offline: text, place, filters and opening hours together. */
    suspend fun search(request: SearchRequest): List<SearchHit> = io { store.search(request) }

    /** The [limit] listings nearest to [near], nearest first. */
    suspend fun nearest(
        near: GeoPoint,
        kinds: List<Kind> = emptyList(),
        openNow: Boolean = false,
        languages: List<String> = emptyList(),
        limit: Int = 20,
    ): List<SearchHit> = io { store.nearest(near, kinds, openNow, languages, limit.toUInt()) }

    /** The listing with [id]; throws [FaroException.NotFound] when there is none. */
    suspend fun listing(id: String, languages: List<String> = emptyList(), at: HoursAt? = null): Listing =
        io { store.listing(id, languages, at) }

    /** Listings per kind in [region]. */
    suspend fun counts(region: CountRegion = CountRegion.All): Map<Kind, Long> =
        io { store.counts(region).associate { it.kind to it.count.toLong() } }

    /** Listings per kind, as the core returns them (every kind, zeros included). */
    suspend fun kindCounts(region: CountRegion = CountRegion.All): List<KindCount> = io { store.counts(region) }

    /** Number of listings stored. */
    suspend fun listingCount(): Long = io { store.listingCount().toLong() }

    /**
     * Imports a faro-listings file. Cancelling the calling coroutine cancels the import, which
     * then keeps nothing, and rethrows the cancellation.
     */
    suspend fun importListings(file: File, onProgress: (ProgressReport) -> Unit = {}): ImportSummary = coroutineScope {
        val handle = CancelHandle()
        val listener = object : ProgressListener {
            override fun onProgress(progress: ProgressReport) = onProgress(progress)
        }
        val work = async(dispatcher) {
            try {
                store.importListings(file.path, listener, handle)
            } catch (e: FaroException.Cancelled) {
                // Only this coroutine's cancellation trips the handle: report it as one.
                throw CancellationException(e.reason).apply { initCause(e) }
            }
        }
        try {
            work.await()
        } catch (e: CancellationException) {
            // The blocking call cannot be interrupted; the handle stops it at the next record.
            handle.cancel()
            throw e
        } finally {
            handle.close()
        }
    }

    /**
     * The same import as a cold [Flow]: [ImportEvent.Progressed] while it runs, then one
     * [ImportEvent.Finished]. Failures end the flow with the [FaroException]; a collector that
     * stops collecting cancels the import (nothing is kept).
     */
    fun importListingsFlow(file: File): Flow<ImportEvent> = callbackFlow {
        val handle = CancelHandle()
        val listener = object : ProgressListener {
            // ProgressReport that does not fit the buffer is dropped; the final event never is.
            override fun onProgress(progress: ProgressReport) {
                trySend(ImportEvent.Progressed(progress))
            }
        }
        launch(dispatcher) {
            try {
                val summary = store.importListings(file.path, listener, handle)
                send(ImportEvent.Finished(summary))
                channel.close()
            } catch (e: FaroException) {
                channel.close(e)
            }
        }
        awaitClose { handle.cancel() }
    }

    /** Closes the store; idempotent. Later calls throw [FaroException.Closed]. */
    override fun close() = store.closeStore()

    /** The generated object, for calls this layer does not wrap. */
    val raw: FaroStore get() = store

    private suspend fun <T> io(block: () -> T): T = withContext(dispatcher) { block() }
}
