// Trusted sync, bundles, status, subscriptions, rights, warnings and check-contact from Kotlin,
// against the real host-built libfaro_ffi.so: the demo data is published by the host-built
// `faro` CLI (keygen + publish), served by a real HTTP server on loopback (RepoServer), synced
// through the FFI and exported as the demo bundle that the query tests import.
package app.faro

import app.faro.ffi.CancelHandle
import app.faro.ffi.ContactKind
import app.faro.ffi.ContentKind
import app.faro.ffi.FaroException
import app.faro.ffi.HoursAt
import app.faro.ffi.Kind
import app.faro.ffi.MatchSource
import app.faro.ffi.OpenState
import app.faro.ffi.ProgressListener
import app.faro.ffi.ProgressReport
import app.faro.ffi.ProgressStage
import app.faro.ffi.RegionChoice
import app.faro.ffi.RegionOrigin
import app.faro.ffi.Relation
import app.faro.ffi.RightsQuery
import app.faro.ffi.SearchRequest
import app.faro.ffi.ServiceCode
import app.faro.ffi.SyncRoute
import app.faro.ffi.SyncSettings
import app.faro.ffi.Topic
import app.faro.ffi.Verdict
import app.faro.ffi.WarningKind
import app.faro.ffi.GeoPoint
import app.faro.ffi.normalizeContact
import java.io.File
import java.net.ServerSocket
import java.nio.file.Files
import java.time.Duration
import java.time.LocalDateTime
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private val FARO_CLI = File(System.getProperty("faro.cli") ?: "../target/debug/faro")
private val DEMO_DIR = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl").parentFile
private val DATASETS = listOf("demo/route", "rights/all", "warnings/demo")
private const val LISTINGS = 73uL
private val NEAR_TAPACHULA = GeoPoint(lat = 14.9057, lon = -92.2630)
private val QUICK = SyncSettings(connectTimeout = Duration.ofSeconds(5), readTimeout = Duration.ofSeconds(5), maxAttempts = 1u)

/** Runs the host-built `faro` CLI; fails with its output when it fails. */
private fun faroCli(vararg args: String) {
    val process = ProcessBuilder(FARO_CLI.path, *args).redirectErrorStream(true).start()
    val output = process.inputStream.bufferedReader().readText()
    check(process.waitFor() == 0) { "faro ${args.joinToString(" ")} failed:\n$output" }
}

class SyncTest {
    companion object {
        private lateinit var work: File
        private lateinit var root: ByteArray
        private lateinit var server: RepoServer
        private lateinit var bundle: File

        @BeforeAll
        @JvmStatic
        fun publishServeAndMakeTheDemoBundle() = runBlocking {
            work = Files.createTempDirectory("faro-sync").toFile()
            val keys = File(work, "keys")
            val repo = File(work, "repo")
            faroCli("keygen", "--out", keys.path)
            val inputs = listOf("listings.jsonl", "rights.jsonl", "warnings.jsonl").map { File(DEMO_DIR, it).path }
            faroCli("publish", "--keys", keys.path, "--repo", repo.path, *inputs.toTypedArray())
            root = File(repo, "metadata/1.root.json").readBytes()
            server = RepoServer(repo)
            // The demo bundle, made through the FFI as a field worker's phone makes one.
            bundle = File(work, "demo.bundle")
            Faro.open(File(work, "field-worker")).use { source ->
                source.installTrustedRoot(root)
                source.sync(server.url, DATASETS, QUICK)
                val export = source.exportBundle(bundle)
                assertEquals(DATASETS, export.datasets.map { it.dataset })
                assertTrue(export.skipped.isEmpty())
                assertEquals(bundle.length().toULong(), export.bytes)
            }
        }

        @AfterAll
        @JvmStatic
        fun stopServer() {
            server.close()
            work.deleteRecursively()
        }
    }

    @TempDir
    lateinit var tmp: File

    @AfterEach
    fun serveNormallyAgain() {
        server.targetDelayMs = 0
        server.onTarget = null
        server.tamperTargets = false
    }

    /** A new store that trusts the repository's shipped root, and nothing else. */
    private suspend fun phone(name: String): Faro =
        Faro.open(File(tmp, name)).also { assertEquals(1uL, it.installTrustedRoot(root)) }

    @Test
    fun `a sync from a loopback server reports progress, fills the store, then changes nothing`() = runBlocking<Unit> {
        phone("a").use { faro ->
            val events = faro.syncFlow(server.url, DATASETS, QUICK).toList()
            val report = assertIs<SyncEvent.Finished>(events.last()).report
            assertEquals(DATASETS.map { it to SyncRoute.SNAPSHOT }, report.datasets.map { it.dataset to it.route })
            report.datasets.forEach { assertNull(it.fromVersion); assertEquals(1uL, it.version) }
            assertEquals(1uL, report.rootVersion)

            val progress = events.dropLast(1).map { assertIs<SyncEvent.Progressed>(it).progress }
            assertEquals(ProgressStage.CHECKING_METADATA, progress.first().stage)
            assertEquals(ProgressStage.FINISHED, progress.last().stage)
            for (dataset in DATASETS) {
                val downloads = progress.filter { it.stage == ProgressStage.DOWNLOADING && it.dataset == dataset }
                assertTrue(downloads.isNotEmpty(), "no download report for $dataset")
                assertEquals(downloads.last().bytesTotal, downloads.last().bytesDone)
                assertTrue(progress.any { it.stage == ProgressStage.APPLYING && it.dataset == dataset }, dataset)
            }
            val applied = progress.last { it.stage == ProgressStage.APPLYING && it.dataset == "demo/route" }
            assertEquals(LISTINGS, applied.recordsDone)
            assertEquals(LISTINGS, applied.recordsTotal)
            assertEquals(LISTINGS, faro.listingCount())

            assertEquals(DATASETS, faro.subscriptions())
            val status = faro.datasetStatus()
            assertEquals(1uL, status.rootVersion)
            assertTrue(status.pending.isEmpty())
            assertEquals(listOf(ContentKind.LISTINGS, ContentKind.RIGHTS, ContentKind.WARNINGS), status.datasets.map { it.content })
            status.datasets.forEach {
                assertFalse(it.stale)
                assertNotNull(it.verifiedAt)
                assertNotNull(it.publishedAt)
                assertTrue(it.subscribed)
                assertEquals(SyncRoute.SNAPSHOT, it.route)
            }
            assertEquals(LISTINGS, status.datasets[0].records)
            assertTrue(status.time.now >= status.time.build)

            // A second sync downloads no dataset.
            val before = server.requests.size
            val again = faro.sync(server.url)
            assertTrue(again.datasets.all { it.route == SyncRoute.UNCHANGED && it.bytesDownloaded == 0uL })
            assertTrue(server.requests.drop(before).none { it.startsWith("targets/") }, "${server.requests}")

            faro.unsubscribe("rights/all")
            assertEquals(listOf("demo/route", "warnings/demo"), faro.subscriptions())
            assertFalse(faro.datasetStatus().datasets.first { it.dataset == "rights/all" }.subscribed)
            faro.subscribe("rights/all")
            assertEquals(DATASETS, faro.subscriptions())

            // A mistyped dataset is refused, and not saved to break every later sync.
            val typo = assertFailsWith<FaroException.NotVerified> { faro.sync(server.url, listOf("demo/rout")) }
            assertContains(typo.reason, "does not publish demo/rout")
            assertEquals(DATASETS, faro.subscriptions())
        }
    }

    @Test
    fun `a repository lists what it offers, verified, and a place or a country subscribes its datasets`() = runBlocking<Unit> {
        phone("offer").use { faro ->
            val offer = faro.availableDatasets(server.url, QUICK)
            assertEquals(DATASETS, offer.map { it.dataset })
            assertEquals(listOf(ContentKind.LISTINGS, ContentKind.RIGHTS, ContentKind.WARNINGS), offer.map { it.content })
            val route = offer[0]
            assertEquals(LISTINGS, route.records)
            assertEquals(1uL, route.version)
            assertTrue(route.demo)
            assertEquals("CC0-1.0", route.license)
            assertEquals(RegionOrigin.SIGNED, route.region.origin)
            assertTrue("MX" in route.region.countries && "GT" in route.region.countries, "${route.region}")
            val box = assertNotNull(route.region.bbox)
            assertTrue(box.south <= NEAR_TAPACHULA.lat && NEAR_TAPACHULA.lat <= box.north, "$box")
            assertTrue(offer[1].region.everywhere)
            offer.forEach { assertFalse(it.subscribed); assertNull(it.heldVersion); assertTrue(it.downloadBytes > 0uL) }

            // A country no listing is in: only what applies everywhere.
            val brazil = faro.subscribeRegion(server.url, RegionChoice.Countries(listOf("br")), QUICK)
            assertEquals(listOf("rights/all"), brazil.subscribed)
            assertTrue(brazil.unplaced.isEmpty())
            // Near Tapachula: the route's listings too; then a sync fetches them.
            val near = faro.subscribeRegion(server.url, RegionChoice.Near(NEAR_TAPACHULA.lat, NEAR_TAPACHULA.lon, 5.0), QUICK)
            assertTrue(near.subscribed.containsAll(listOf("demo/route", "rights/all")), "$near")
            faro.sync(server.url, settings = QUICK)
            assertEquals(LISTINGS, faro.listingCount())
            val after = faro.availableDatasets(server.url, QUICK).first { it.dataset == "demo/route" }
            assertTrue(after.subscribed)
            assertEquals(1uL, after.heldVersion)

            val bad = assertFailsWith<FaroException.BadInput> {
                faro.subscribeRegion(server.url, RegionChoice.Countries(listOf("xx")))
            }
            assertContains(bad.reason, "\"xx\"")
        }
    }

    @Test
    fun `cancelling mid-download keeps nothing and a later sync completes`() = runBlocking<Unit> {
        phone("c").use { faro ->
            server.targetDelayMs = 20
            val handle = CancelHandle()
            server.onTarget = { handle.cancel() }
            val cancelled = assertFailsWith<FaroException.Cancelled> {
                withContext(Dispatchers.IO) { faro.raw.sync(server.url, DATASETS, null, handle, QUICK) }
            }
            assertTrue(cancelled.reason.isNotBlank())
            assertEquals(0uL, faro.listingCount())
            assertTrue(faro.datasetStatus().datasets.isEmpty())
            assertEquals(DATASETS, faro.datasetStatus().pending)

            // Cancelling the calling coroutine cancels the sync the same way; cancelAndJoin
            // returns once the native call has stopped.
            val downloading = CompletableDeferred<Unit>()
            server.onTarget = { downloading.complete(Unit) }
            val job = launch(Dispatchers.Default) { faro.sync(server.url, settings = QUICK) }
            withTimeout(10_000) { downloading.await() }
            job.cancelAndJoin()
            assertTrue(job.isCancelled)
            assertEquals(0uL, faro.listingCount())

            server.onTarget = null
            server.targetDelayMs = 0
            val report = faro.sync(server.url, settings = QUICK)
            assertEquals(DATASETS.map { it to SyncRoute.SNAPSHOT }, report.datasets.map { it.dataset to it.route })
            assertEquals(LISTINGS, faro.listingCount())
        }
    }

    @Test
    fun `a stopped sync flow ends in a CancellationException like a cancelled sync, and keeps nothing`() = runBlocking<Unit> {
        phone("s").use { faro ->
            server.targetDelayMs = 20
            val downloading = CompletableDeferred<Unit>()
            server.onTarget = { downloading.complete(Unit) }
            val ended = CompletableDeferred<Throwable?>()
            val job = launch(Dispatchers.Default) {
                try {
                    faro.syncFlow(server.url, DATASETS, QUICK).collect {}
                    ended.complete(null)
                } catch (e: Throwable) {
                    ended.complete(e)
                    throw e
                }
            }
            withTimeout(10_000) { downloading.await() }
            job.cancelAndJoin()
            val failure = withTimeout(10_000) { ended.await() }
            assertIs<CancellationException>(failure, "a stopped flow must not end in a FaroException: $failure")
            assertFalse(failure is FaroException)
            assertEquals(0uL, faro.listingCount())
        }
    }

    @Test
    fun `the first-run bundle from app assets imports from bytes or a stream into the default store`() = runBlocking<Unit> {
        val appData = File(tmp, "app-data")
        Faro.openDefault(appData).use { faro ->
            assertEquals(File(appData, Faro.DEFAULT_FOLDER).canonicalPath, faro.directory().canonicalPath)
            assertEquals(1uL, faro.installTrustedRoot(root))
            val junk = ByteArray(4096) { (it * 7).toByte() }
            val bad = assertFailsWith<FaroException.NotVerified> { faro.importBundle(junk) }
            assertFalse(bad.reason.contains(".faro-bundle"), bad.reason)
            assertEquals(0uL, faro.listingCount())
            val seen = CopyOnWriteArrayList<ProgressReport>()
            val outcomes = faro.importBundle(bundle.readBytes()) { seen.add(it) }
            assertEquals(DATASETS, outcomes.map { it.dataset })
            assertTrue(outcomes.all { it.applied && it.version == 1uL })
            assertEquals(ProgressStage.FINISHED, seen.last().stage)
            assertEquals(LISTINGS, faro.listingCount())
        }
        // Reopening finds the same data: the default directory is stable.
        Faro.openDefault(appData).use { assertEquals(LISTINGS, it.listingCount()) }

        Faro.openDefault(File(tmp, "other-app")).use { faro ->
            faro.installTrustedRoot(root)
            val outcomes = bundle.inputStream().use { faro.importBundle(it) }
            assertTrue(outcomes.all { it.applied })
            assertEquals(LISTINGS, faro.listingCount())
            val truncated = bundle.readBytes().copyOf(bundle.length().toInt() / 2)
            assertFailsWith<FaroException.NotVerified> { truncated.inputStream().use { faro.importBundle(it) } }
            val left = File(faro.raw.directory()).list()!!.filter { it.startsWith(".faro-bundle") }
            assertTrue(left.isEmpty(), "scratch files left: $left")
        }
    }

    @Test
    fun `reads run during a sync and see the old data until it commits`() = runBlocking<Unit> {
        phone("r").use { faro ->
            server.targetDelayMs = 25
            val readWhileApplying = AtomicReference<ULong?>(null)
            val done = AtomicBoolean(false)
            val side = Executors.newSingleThreadExecutor()
            val sync = async(Dispatchers.IO) {
                faro.sync(server.url, DATASETS, QUICK) { p ->
                    if (p.stage == ProgressStage.APPLYING && p.dataset == "demo/route" && readWhileApplying.get() == null) {
                        // The sync holds its write transaction here: a read on another thread
                        // must still finish, and see the data from before the sync.
                        readWhileApplying.set(side.submit<ULong> { faro.raw.listingCount() }.get(20, TimeUnit.SECONDS))
                    }
                }.also { done.set(true) }
            }
            val reader = async(Dispatchers.IO) {
                val counts = mutableListOf<ULong>()
                var searches = 0
                while (!done.get()) {
                    counts.add(faro.listingCount())
                    faro.search(SearchRequest(text = "salud", limit = 5u))
                    faro.warningsHere(near = NEAR_TAPACHULA)
                    searches++
                }
                counts to searches
            }
            sync.await()
            val (counts, searches) = reader.await()
            side.shutdown()
            assertTrue(searches >= 3, "only $searches reads ran during the sync")
            assertTrue(counts.all { it == 0uL || it == LISTINGS }, "partial counts seen: ${counts.distinct()}")
            assertEquals(0uL, readWhileApplying.get())
            assertEquals(LISTINGS, faro.listingCount())
        }
    }

    @Test
    fun `a local import cannot change synced data and every hit says whether it is verified`() = runBlocking<Unit> {
        phone("mixed").use { faro ->
            faro.importBundle(bundle)
            // The demo listings file names demo/route, which sync keeps: refused, nothing changed.
            val refused = assertFailsWith<FaroException.BadInput> { faro.importListings(File(DEMO_DIR, "listings.jsonl")) }
            assertContains(refused.reason, "local/route")
            assertEquals(LISTINGS, faro.listingCount())
            // A local dataset of its own is fine, and its hits say they are not verified.
            val notes = File(tmp, "notes.jsonl")
            notes.writeText(
                "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"local/notes\",\"demo\":true}\n" +
                    "{\"id\":\"local:zafiro\",\"kind\":\"health\",\"name\":{\"es\":\"Clínica Zafiro (demo)\"}}\n",
            )
            assertEquals(1uL, faro.importListings(notes).inserted)
            val local = faro.search(SearchRequest(text = "zafiro"))
            assertEquals(listOf("local:zafiro"), local.map { it.listing.id })
            assertFalse(local.single().verified)
            assertEquals("local/notes", local.single().dataset)
            val synced = faro.search(SearchRequest(text = "juridica"))
            assertTrue(synced.isNotEmpty())
            synced.forEach {
                assertTrue(it.verified, it.listing.id)
                assertEquals("demo/route", it.dataset)
            }
        }
    }

    @Test
    fun `the demo bundle imports offline and answers search, nearest, open now, rights, warnings and contacts`() = runBlocking<Unit> {
        phone("b").use { faro ->
            val seen = CopyOnWriteArrayList<ProgressReport>()
            val outcomes = faro.importBundle(bundle) { seen.add(it) }
            assertEquals(DATASETS, outcomes.map { it.dataset })
            outcomes.forEach {
                assertTrue(it.applied)
                assertEquals(1uL, it.version)
                assertNull(it.previousVersion)
                assertNull(it.unconfirmedSince)
            }
            assertEquals(ProgressStage.CHECKING_METADATA, seen.first().stage)
            assertEquals(ProgressStage.FINISHED, seen.last().stage)
            assertEquals(DATASETS, seen.filter { it.stage == ProgressStage.APPLYING }.mapNotNull { it.dataset }.distinct())
            assertTrue(faro.datasetStatus().datasets.all { it.route == SyncRoute.BUNDLE })
            assertTrue(faro.importBundle(bundle).none { it.applied }, "the same versions again apply nothing")

            // Search with filters.
            val legal = faro.search(SearchRequest(text = "juridica", kinds = listOf(Kind.LEGAL_AID), languages = listOf("es")))
            assertTrue(legal.isNotEmpty())
            legal.forEach { assertEquals(Kind.LEGAL_AID, it.listing.kind) }
            val vaccines = faro.search(SearchRequest(services = listOf(ServiceCode.VACCINATION), inCountry = "CO", freeOnly = true))
            assertTrue(vaccines.isNotEmpty())
            vaccines.forEach { assertEquals("CO", it.listing.address?.country) }
            // Nearest.
            val shelters = faro.nearest(NEAR_TAPACHULA, kinds = listOf(Kind.SHELTER), limit = 3u)
            assertEquals(3, shelters.size)
            assertEquals(shelters.map { it.distanceM!! }.sorted(), shelters.map { it.distanceM!! })
            // Open at a time, and open now.
            val at = HoursAt.localTime(LocalDateTime.parse("2026-11-25T10:30"))
            val open = faro.search(SearchRequest(near = NEAR_TAPACHULA, openOnly = true, at = at, limit = 10u))
            assertTrue(open.isNotEmpty())
            open.forEach { assertEquals(OpenState.OPEN, it.listing.hours.state) }
            faro.nearest(NEAR_TAPACHULA, openNow = true).forEach { assertEquals(OpenState.OPEN, it.listing.hours.state) }

            // Rights.
            val asylum = faro.rights(RightsQuery(text = "asilo", country = "MX", languages = listOf("es")))
            assertTrue(asylum.any { it.id == "demo:mx-asylum-comar" }, asylum.map { it.id }.toString())
            asylum.forEach { hit ->
                assertTrue(hit.demo)
                assertTrue("all" in hit.countries || "MX" in hit.countries, hit.id)
            }
            val health = faro.rights(RightsQuery(topics = listOf(Topic.HEALTH)))
            assertTrue(health.isNotEmpty())
            health.forEach { assertContains(it.topics, Topic.HEALTH) }
            val consular = faro.article("demo:consular-assistance", listOf("en"))
            assertEquals("en", consular.language)
            // The whole article in one language: Creole title, summary and body, each saying so.
            val creole = faro.article("demo:consular-assistance", listOf("ht", "fr", "es"))
            assertEquals(listOf("ht", "ht", "ht", "ht"), listOf(creole.language, creole.titleLanguage, creole.summaryLanguage, creole.bodyLanguage))
            assertTrue(creole.body!!.startsWith("Se ou ki deside"), creole.body)
            faro.rights(RightsQuery(country = "MX", languages = listOf("ht"))).forEach {
                assertEquals(listOf("ht", "ht", "ht"), listOf(it.language, it.titleLanguage, it.summaryLanguage), it.id)
            }
            assertTrue(consular.related.ownConsulate)
            assertTrue(consular.references.isNotEmpty())
            val help = faro.articleHelp("demo:asylum", near = NEAR_TAPACHULA)
            assertTrue(help.isNotEmpty())
            help.forEach { assertEquals(Kind.LEGAL_AID, it.listing.kind) }
            assertTrue(faro.articleHelp("demo:consular-assistance", near = NEAR_TAPACHULA).isEmpty(), "needs a nationality")

            // Warnings here and now.
            val here = faro.warningsHere(near = NEAR_TAPACHULA, country = "MX", languages = listOf("en"))
            // Advice in Creole too, not English under a Creole headline.
            faro.warningsHere(near = NEAR_TAPACHULA, country = "MX", languages = listOf("ht")).forEach {
                val w = it.warning
                assertEquals(listOf("ht", "ht", "ht"), listOf(w.language, w.headlineLanguage, w.adviceLanguage), w.id)
            }
            val fake = here.first { it.warning.id == "demo:w-fake-consulate-tapachula" }
            assertTrue(fake.here)
            assertTrue(fake.warning.active)
            assertEquals(WarningKind.IMPERSONATION, fake.warning.kind)
            assertContains(fake.warning.indicators.phones, "+12015550143")
            assertTrue(here.none { it.warning.id == "demo:w-fake-shelter-withdrawn" })
            val panama = faro.warningsHere(country = "PA")
            assertEquals(listOf("demo:w-darien-kidnapping"), panama.map { it.warning.id })
            assertFalse(panama[0].here)
            faro.warningsHere(kinds = listOf(WarningKind.DANGEROUS_ROUTE)).forEach {
                assertEquals(WarningKind.DANGEROUS_ROUTE, it.warning.kind)
            }
            assertFalse(faro.warning("demo:w-fake-shelter-withdrawn").active)

            // Is this contact real?
            val scam = faro.checkContact("+1 201-555-0143")
            assertEquals(Verdict.WARNING, scam.verdict)
            assertEquals(ContactKind.PHONE, scam.kind)
            assertEquals("+12015550143", scam.normalized)
            assertTrue(scam.matches.any { it.source == MatchSource.WARNING && it.id == "demo:w-fake-consulate-tapachula" })
            val official = faro.checkContact("(915) 555-0123", region = "US")
            assertEquals(Verdict.OFFICIAL, official.verdict)
            assertTrue(official.matches.any { it.source == MatchSource.LISTING && it.relation == Relation.Exact })
            assertTrue(official.matches.first().datasetVerified, "synced data is signed by its publisher")
            // 00 is not the US international prefix: read the route's way, it is still the scam.
            val foreign = faro.checkContact("001 201 555 0143", region = "US")
            assertEquals(Verdict.WARNING, foreign.verdict)
            assertEquals(listOf("+12015550143"), foreign.also)
            assertTrue(foreign.matches.any { it.relation == Relation.OtherReading && it.id == "demo:w-fake-consulate-tapachula" })
            assertEquals(Verdict.INVALID, faro.checkContact("???").verdict)
            assertEquals("+525512345678", normalizeContact("55 1234 5678", "MX").normalized)
        }
    }

    @Test
    fun `a bundle with a broken role file reaches the app as an error and changes nothing`() = runBlocking<Unit> {
        // Break one signature inside the warnings role, the last role the import reads.
        val bytes = bundle.readBytes()
        val text = String(bytes, Charsets.ISO_8859_1)
        val header = text.indexOf(".warnings.json") / 512 * 512
        val sig = text.indexOf("\"sig\"", header + 512)
        val digit = (sig + 6 until bytes.size).first { bytes[it].toInt().toChar() in '0'..'9' }
        bytes[digit] = (if (bytes[digit] == '0'.code.toByte()) '1' else '0').code.toByte()
        val broken = File(tmp, "broken.bundle").apply { writeBytes(bytes) }
        phone("broken").use { faro ->
            val before = faro.datasetStatus()
            assertFailsWith<FaroException.NotVerified> { faro.importBundle(broken) }
            assertEquals(0uL, faro.listingCount())
            assertEquals(before.datasets, faro.datasetStatus().datasets)
            // The intact bundle then applies whole, with a verified time and an expiry.
            faro.importBundle(bundle)
            val status = faro.datasetStatus()
            assertEquals(DATASETS, status.datasets.map { it.dataset })
            assertTrue(status.datasets.all { it.verifiedAt != null && !it.stale })
        }
    }

    @Test
    fun `a second sync on the same database while one runs gets Busy`() = runBlocking<Unit> {
        phone("busy").use { first ->
            server.targetDelayMs = 300
            val downloading = CompletableDeferred<Unit>()
            server.onTarget = { downloading.complete(Unit) }
            val running = async(Dispatchers.IO) { first.sync(server.url, DATASETS, QUICK) }
            withTimeout(10_000) { downloading.await() }
            Faro.open(File(tmp, "busy")).use { second ->
                val busy = assertFailsWith<FaroException.Busy> { second.sync(server.url, settings = QUICK) }
                assertContains(busy.reason, "already running")
                assertFailsWith<FaroException.Busy> { second.importBundle(bundle) }
            }
            server.targetDelayMs = 0
            assertEquals(DATASETS, running.await().datasets.map { it.dataset })
            assertEquals(LISTINGS, first.listingCount())
        }
    }

    @Test
    fun `every error variant of the sync surface`() = runBlocking<Unit> {
        val faro = phone("e")
        // Network: nothing listens on the port.
        val port = ServerSocket(0).use { it.localPort }
        val network = assertFailsWith<FaroException.Network> { faro.sync("http://127.0.0.1:$port/", DATASETS, QUICK) }
        assertTrue(network.reason.isNotBlank())
        // NotVerified: a target file changed after signing; nothing is applied.
        server.tamperTargets = true
        // (The datasets are named: a sync that verified nothing has saved no subscription.)
        val notVerified = assertFailsWith<FaroException.NotVerified> { faro.sync(server.url, DATASETS, QUICK) }
        assertContains(notVerified.reason, "hash")
        assertEquals(0uL, faro.listingCount())
        server.tamperTargets = false
        assertFailsWith<FaroException.NotVerified> { faro.installTrustedRoot("{}".toByteArray()) }
        // A file that is not a bundle is not verified, never "bad input".
        val junk = File(tmp, "junk.bundle").apply { writeBytes(ByteArray(2048) { (it * 7).toByte() }) }
        assertFailsWith<FaroException.NotVerified> { faro.importBundle(junk) }
        // BadInput: a malformed dataset name, a bad country.
        assertFailsWith<FaroException.BadInput> { faro.subscribe("../etc") }
        assertFailsWith<FaroException.BadInput> { faro.rights(RightsQuery(country = "Mexico")) }
        assertFailsWith<FaroException.BadInput> { faro.checkContact("+12015550143", region = "Mexico") }
        // NotFound.
        assertFailsWith<FaroException.NotFound> { faro.article("demo:no-such-article") }
        assertFailsWith<FaroException.NotFound> { faro.warning("demo:no-such-warning") }
        // Storage: the bundle cannot be written there.
        faro.sync(server.url, DATASETS, QUICK)
        assertFailsWith<FaroException.Storage> { faro.exportBundle(File(tmp, "no/such/folder/x.bundle")) }
        // Cancelled: a handle cancelled before the call.
        val handle = CancelHandle().apply { cancel() }
        assertFailsWith<FaroException.Cancelled> {
            withContext(Dispatchers.IO) { faro.raw.sync(server.url, emptyList(), null, handle, QUICK) }
        }
        // Internal: a listener that throws stops the sync; the dataset in progress rolls back.
        phone("i").use { other ->
            val throwing = object : ProgressListener {
                override fun onProgress(progress: ProgressReport) {
                    if (progress.stage == ProgressStage.APPLYING) throw IllegalStateException("UI went away")
                }
            }
            val internal = assertFailsWith<FaroException.Internal> {
                withContext(Dispatchers.IO) { other.raw.sync(server.url, DATASETS, throwing, null, QUICK) }
            }
            assertContains(internal.reason, "progress listener")
            assertEquals(0uL, other.listingCount())
        }
        // Closed.
        faro.close()
        assertFailsWith<FaroException.Closed> { faro.sync(server.url) }
        assertFailsWith<FaroException.Closed> { faro.datasetStatus() }
        assertFailsWith<FaroException.Closed> { faro.checkContact("+12015550143") }
        assertFailsWith<FaroException.Closed> { faro.warningsHere() }
    }
}
