// The Kotlin library against the real host-built libfaro_ffi.so and real SQLite files: the
// demo listings, a generated 11k-record file for progress, cancellation and concurrent reads.
package app.faro

import app.faro.ffi.CancelHandle
import app.faro.ffi.CountRegion
import app.faro.ffi.FaroException
import app.faro.ffi.FaroStore
import app.faro.ffi.GeoPoint
import app.faro.ffi.HoursAt
import app.faro.ffi.Kind
import app.faro.ffi.OpenState
import app.faro.ffi.ProgressReport
import app.faro.ffi.ProgressListener
import app.faro.ffi.ProgressStage
import app.faro.ffi.SearchRequest
import app.faro.ffi.ServiceCode
import app.faro.ffi.PhoneKind
import app.faro.ffi.Status
import java.io.File
import java.nio.file.Files
import java.time.LocalDateTime
import java.time.ZoneId
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private val DEMO = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")
private const val DEMO_COUNT = 73uL
private val TAPACHULA = GeoPoint(lat = 14.9057, lon = -92.2630)
private const val WEDNESDAY_MORNING = "2026-11-25T10:30"

/** The demo file copied [copies] times with fresh ids into another dataset: a long import. */
private fun bulkFile(dir: File, copies: Int): File {
    val lines = DEMO.readLines()
    val out = File(dir, "bulk.jsonl")
    out.bufferedWriter().use { w ->
        w.write(lines[0].replace("\"demo/route\"", "\"test/bulk\""))
        w.newLine()
        for (i in 0 until copies) {
            for (line in lines.drop(1)) {
                if (line.isBlank()) continue
                w.write(line.replaceFirst("\"id\":\"demo:", "\"id\":\"demo:bulk$i-"))
                w.newLine()
            }
        }
    }
    return out
}

class FaroTest {
    @TempDir
    lateinit var tmp: File
    private lateinit var faro: Faro

    @BeforeEach
    fun openAndImportDemo() = runBlocking {
        faro = Faro.open(File(tmp, "store"))
        val summary = faro.importListings(DEMO)
        assertEquals("demo/route", summary.dataset)
        assertEquals(DEMO_COUNT, summary.inserted)
    }

    @AfterEach
    fun close() = faro.close()

    @Test
    fun `demo import is counted by kind and a second import changes nothing`() = runBlocking {
        assertEquals(DEMO_COUNT, faro.listingCount())
        val counts = faro.counts()
        assertEquals(Kind.entries.toSet(), counts.keys)
        // Closed listings are kept (so nobody is sent there) but not counted.
        val closed = faro.search(SearchRequest(statuses = listOf(Status.CLOSED), limit = 100u)).size
        assertEquals(1, closed)
        assertEquals(DEMO_COUNT - closed.toULong(), counts.values.sum())
        assertEquals(0uL, counts[Kind.CONSULATE])
        val again = faro.importListings(DEMO)
        assertEquals(DEMO_COUNT, again.unchanged)
        assertEquals(0uL, again.inserted)
        val mexico = faro.counts(CountRegion.Country("mx")).values.sum()
        val nearTapachula = faro.counts(CountRegion.Circle(TAPACHULA, 20_000.0)).values.sum()
        assertTrue(nearTapachula in 1uL until mexico, "$nearTapachula near Tapachula, $mexico in Mexico")
    }

    @Test
    fun `search with text, filters and languages`() = runBlocking {
        val legal = faro.search(SearchRequest(text = "juridica", kinds = listOf(Kind.LEGAL_AID), languages = listOf("fr", "es")))
        assertTrue(legal.isNotEmpty())
        legal.forEach {
            assertEquals(Kind.LEGAL_AID, it.listing.kind)
            assertNotNull(it.score)
            assertTrue(it.listing.demo)
        }
        assertTrue(legal.any { it.listing.nameLanguage == "fr" }, "French names preferred when present")

        val vaccines = faro.search(SearchRequest(services = listOf(ServiceCode.VACCINATION), inCountry = "CO", freeOnly = true))
        assertTrue(vaccines.isNotEmpty())
        vaccines.forEach {
            assertContains(it.listing.services, ServiceCode.VACCINATION)
            assertEquals("CO", it.listing.address?.country)
        }

        val creole = faro.search(SearchRequest(speaks = listOf("ht"), limit = 100u))
        assertTrue(creole.isNotEmpty())
        creole.forEach { hit -> assertTrue(hit.listing.languages.any { it.startsWith("ht") }, hit.listing.id) }

        val withinRadius = faro.search(SearchRequest(near = TAPACHULA, radiusM = 3_000.0, limit = 100u))
        assertTrue(withinRadius.isNotEmpty())
        withinRadius.forEach { assertTrue(it.distanceM!! <= 3_000.0) }
    }

    @Test
    fun `nearest is sorted by distance and filters by kind`() = runBlocking {
        val hits = faro.nearest(TAPACHULA, kinds = listOf(Kind.SHELTER), limit = 5u)
        assertEquals(5, hits.size)
        hits.forEach { assertEquals(Kind.SHELTER, it.listing.kind) }
        val distances = hits.map { it.distanceM!! }
        assertEquals(distances.sorted(), distances)
        assertTrue(distances.first() < 5_000.0, "a Tapachula shelter first: $distances")
    }

    @Test
    fun `open at a local time gives the next change as an instant in the listing's zone`() = runBlocking {
        val at = HoursAt.localTime(LocalDateTime.parse(WEDNESDAY_MORNING))
        val open = faro.search(SearchRequest(near = TAPACHULA, openOnly = true, at = at, limit = 10u))
        assertTrue(open.isNotEmpty())
        for (hit in open) {
            val hours = hit.listing.hours
            assertEquals(OpenState.OPEN, hours.state)
            val local = hours.nextChangeLocal ?: continue
            val zone = ZoneId.of(hit.listing.timezone ?: "UTC")
            assertEquals(LocalDateTime.parse(local).atZone(zone).toInstant(), hours.nextChange)
            assertTrue(LocalDateTime.parse(local) > LocalDateTime.parse(WEDNESDAY_MORNING))
        }
        // "Open now" runs on the device clock: every hit it returns is open.
        faro.nearest(TAPACHULA, openNow = true).forEach { assertEquals(OpenState.OPEN, it.listing.hours.state) }
    }

    @Test
    fun `listing by id carries phones with kinds and localized text`() = runBlocking {
        val at = HoursAt.localTime(LocalDateTime.parse(WEDNESDAY_MORNING))
        val es = faro.listing("demo:san-diego-health-01", languages = listOf("es"), at = at)
        val en = faro.listing("demo:san-diego-health-01", languages = listOf("en"), at = at)
        assertEquals("es", es.nameLanguage)
        assertEquals("en", en.nameLanguage)
        assertTrue(es.name != en.name)
        assertEquals(Status.ACTIVE, es.status)
        assertTrue(es.phones.isNotEmpty())
        es.phones.forEach { assertTrue(it.number.startsWith("+")) }
        assertEquals(listOf(PhoneKind.VOICE, PhoneKind.WHATSAPP), es.phones.map { it.kind })
        assertEquals(es.hours, en.hours)
        // Mo-Fr 08:00-18:00 in Los Angeles: open on Wednesday at 10:30, closing at 18:00 there.
        assertEquals(OpenState.OPEN, es.hours.state)
        assertEquals("2026-11-25T18:00", es.hours.nextChangeLocal)
        assertEquals(java.time.Instant.parse("2026-11-26T02:00:00Z"), es.hours.nextChange)
    }

    @Test
    fun `import reports progress and the flow ends with the summary`() = runBlocking {
        val file = bulkFile(tmp, 40)
        val seen = CopyOnWriteArrayList<ProgressReport>()
        val summary = faro.importListings(file) { seen.add(it) }
        assertEquals(40uL * DEMO_COUNT, summary.inserted)
        val importing = seen.filter { it.stage == ProgressStage.IMPORTING }
        assertTrue(importing.size >= 5, "${importing.size} reports")
        assertEquals(importing.map { it.recordsDone }.sorted(), importing.map { it.recordsDone })
        assertEquals(file.length().toULong(), importing.last().bytesTotal)
        assertEquals(listOf(ProgressStage.COMMITTING, ProgressStage.FINISHED), seen.takeLast(2).map { it.stage })

        val events = faro.importListingsFlow(file).toList()
        val finished = assertIs<ImportEvent.Finished>(events.last())
        assertEquals(40uL * DEMO_COUNT, finished.summary.unchanged)
        assertTrue(events.dropLast(1).all { it is ImportEvent.Progressed })
    }

    @Test
    fun `cancelling an import keeps nothing`() = runBlocking {
        val file = bulkFile(tmp, 60)
        val handle = CancelHandle()
        val listener = object : ProgressListener {
            override fun onProgress(progress: ProgressReport) {
                if (progress.recordsDone >= 512uL) handle.cancel()
            }
        }
        val error = assertFailsWith<FaroException.Cancelled> {
            withContext(Dispatchers.IO) { faro.raw.importListings(file.path, listener, handle) }
        }
        assertContains(error.reason, "nothing was written")
        assertEquals(DEMO_COUNT, faro.listingCount())

        // Cancelling the coroutine cancels the import the same way.
        val job = launch(Dispatchers.Default) { faro.importListings(file) }
        withTimeout(10_000) { while (faro.isClosed() || !job.isActive) Unit }
        Thread.sleep(50)
        job.cancelAndJoin()
        assertEquals(DEMO_COUNT, faro.listingCount())

        // A collector that stops after the first report cancels the flow's import.
        val first = faro.importListingsFlow(file).first()
        assertIs<ImportEvent.Progressed>(first)
        Thread.sleep(200)
        assertEquals(DEMO_COUNT, faro.listingCount())
    }

    @Test
    fun `reads run during an import and see the old or the new data, never part`() = runBlocking {
        val file = bulkFile(tmp, 60)
        val total = DEMO_COUNT + 60uL * DEMO_COUNT
        val done = AtomicBoolean(false)
        val import = async(Dispatchers.IO) { faro.importListings(file).also { done.set(true) } }
        val reader = async(Dispatchers.IO) {
            val counts = mutableListOf<ULong>()
            var searches = 0
            while (!done.get()) {
                counts.add(faro.listingCount())
                assertTrue(faro.search(SearchRequest(text = "salud", limit = 5u)).isNotEmpty())
                searches++
            }
            counts.add(faro.listingCount())
            counts to searches
        }
        import.await()
        val (counts, searches) = reader.await()
        assertTrue(searches > 0, "no search ran during the import")
        assertTrue(counts.all { it == DEMO_COUNT || it == total }, "partial counts seen: ${counts.distinct()}")
        assertEquals(total, counts.last())
    }

    @Test
    fun `hostile files reach the app as errors naming line and field, and nothing is written`() = runBlocking {
        val header = DEMO.readLines()[0]
        val a = "{\"id\":\"demo:new-01\",\"kind\":\"health\",\"name\":{\"es\":\"Nueva (demo)\"}}"
        val b = a.replace("demo:new-01", "demo:new-02")
        val hours = a.dropLast(1) + ",\"opening_hours\":\"Jun 31 10:00-11:00\",\"timezone\":\"America/Mexico_City\"}"
        val long = a.dropLast(1) + ",\"description\":{\"es\":\"" + "a".repeat(5_001) + "\"}}"
        val cases = listOf(
            Triple("two.jsonl", "$header\n$a$b\n", "two.jsonl:2: more follows the record at byte offset ${a.length}"),
            Triple("mac.jsonl", "$header\r$a\r$b\r", "mac.jsonl:1: holds a carriage return"),
            Triple("hours.jsonl", "$header\n$hours\n", "hours.jsonl:2: record demo:new-01: field opening_hours"),
            Triple("long.jsonl", "$header\n$long\n", "long.jsonl:2: record demo:new-01: field description.es: is 5001"),
            Triple("huge.jsonl", "$header\n" + " ".repeat(5 shl 20) + "\n", "huge.jsonl:2: is longer than 4194304 bytes"),
        )
        for ((name, text, expected) in cases) {
            val file = File(tmp, name)
            file.writeText(text)
            val error = assertFailsWith<FaroException.BadInput>(name) { faro.importListings(file) }
            assertContains(error.reason, expected)
            assertEquals(DEMO_COUNT, faro.listingCount(), "$name: nothing written")
        }
    }

    @Test
    fun `every error variant of import and queries`() = runBlocking {
        // BadInput: a rejected file names its line; a bad argument names its field.
        val bad = File(tmp, "bad.jsonl")
        bad.writeText(DEMO.readLines()[0] + "\n{\"id\":\"demo:x\",\"kind\":\"castle\"}\n")
        val rejected = assertFailsWith<FaroException.BadInput> { faro.importListings(bad) }
        assertContains(rejected.reason, "bad.jsonl:2")
        val badPoint = assertFailsWith<FaroException.BadInput> { faro.nearest(GeoPoint(95.0, 0.0)) }
        assertContains(badPoint.reason, "near")
        assertFailsWith<FaroException.BadInput> { faro.importListings(File(tmp, "missing.jsonl")) }
        assertFailsWith<FaroException.BadInput> {
            faro.search(SearchRequest(at = HoursAt.LocalTime("next tuesday")))
        }
        // NotFound.
        val missing = assertFailsWith<FaroException.NotFound> { faro.listing("demo:no-such-place") }
        assertContains(missing.reason, "demo:no-such-place")
        // Damaged (not BadInput, not Storage): a database file that is not one, left untouched.
        val broken = File(tmp, "broken").apply { mkdirs() }
        val db = File(broken, "directory.sqlite").apply { writeText("this is not a database, it is a note") }
        val damaged = assertFailsWith<FaroException.Damaged> { Faro.open(broken) }
        assertContains(damaged.reason, "damaged")
        assertEquals("this is not a database, it is a note", db.readText())
        // Internal: a listener that throws aborts the import; nothing is kept and the store works.
        val throwing = object : ProgressListener {
            override fun onProgress(progress: ProgressReport): Unit = throw IllegalStateException("UI went away")
        }
        val internal = assertFailsWith<FaroException.Internal> {
            withContext(Dispatchers.IO) { faro.raw.importListings(bulkFile(tmp, 10).path, throwing, null) }
        }
        assertContains(internal.reason, "progress listener")
        assertEquals(DEMO_COUNT, faro.listingCount())
        // Cancelled: covered above. Closed: after close, idempotent.
        faro.close()
        faro.close()
        val closed = assertFailsWith<FaroException.Closed> { faro.listingCount() }
        assertContains(closed.reason, "listing_count")
        // Network and NotVerified (and the rest again, for sync and bundles): SyncTest.
    }

    @Test
    fun `AutoCloseable closes the store`() = runBlocking {
        val other = Faro.open(File(tmp, "other"))
        other.use { assertEquals(0uL, it.listingCount()) }
        assertFailsWith<FaroException.Closed> { other.listingCount() }
        // The generated object closes the same way, and says so.
        val raw = FaroStore.open(File(tmp, "raw").path)
        raw.closeStore()
        assertTrue(raw.isClosed())
        assertFailsWith<FaroException.Closed> { raw.search(SearchRequest()) }
        raw.close()
    }
}
