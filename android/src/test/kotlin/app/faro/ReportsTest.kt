// Reports from the field from Kotlin (issue 11 item 3), against the real host-built
// libfaro_ffi.so and the real receiver: `faro reports serve` runs on loopback, the demo data is
// published by the host-built `faro` CLI with the receiver's public key and URL in its signed
// metadata, served by RepoServer and synced through the FFI; reports are queued, sent, and
// read back on the publisher's side with `faro reports read --json`. A gate in front of the
// receiver (a JDK HTTP server on loopback that forwards to it) answers 503 after N reports,
// holds a report, and records every byte the phone sent.
package app.faro

import app.faro.ffi.FaroException
import app.faro.ffi.ProgressReport
import app.faro.ffi.ProgressStage
import app.faro.ffi.ReportDraft
import app.faro.ffi.ReportKind
import app.faro.ffi.ReportPlace
import app.faro.ffi.ReportStatus
import app.faro.ffi.SubKind
import app.faro.ffi.SyncSettings
import com.sun.net.httpserver.HttpServer
import java.io.File
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private val REPORTS_CLI = File(System.getProperty("faro.cli") ?: "../target/debug/faro")
private val REPORTS_DEMO = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")
private val SEND_QUICK = SyncSettings(connectTimeout = Duration.ofSeconds(5), readTimeout = Duration.ofSeconds(5), maxAttempts = 1u)
private const val SCAM_CONTACT = "+1 201 555 0147"

/** Runs the host-built `faro` CLI and returns its output; fails with it when it fails. */
private fun cli(vararg args: String): String {
    val process = ProcessBuilder(REPORTS_CLI.path, *args).redirectErrorStream(true).start()
    val output = process.inputStream.bufferedReader().readText()
    check(process.waitFor() == 0) { "faro ${args.joinToString(" ")} failed:\n$output" }
    return output
}

/** The real receiver, `faro reports serve`, on a free loopback port. */
private class Receiver(private val keys: File, val inbox: File) : AutoCloseable {
    private val process: Process = ProcessBuilder(
        REPORTS_CLI.path, "reports", "serve", "--keys", keys.path, "--listen", "127.0.0.1:0", "--out", inbox.path,
    ).redirectErrorStream(true).start()

    /** The URL it prints once it listens. */
    val url: String = run {
        val line = process.inputStream.bufferedReader().readLine()
        Regex("http://127\\.0\\.0\\.1:\\d+/").find(line ?: "")?.value
            ?: error("faro reports serve did not start: $line")
    }

    /** The reports the publisher reads with its private key: idempotency key to report JSON. */
    fun read(): List<Pair<String, String>> {
        val json = cli("reports", "read", "--keys", keys.path, "--in", inbox.path, "--json")
        val items = json.split(Regex("\\n  \\{")).drop(1)
        assertFalse(json.contains("\"error\""), json)
        return items.map { item ->
            val key = Regex("\"idempotency_key\": \"([0-9a-f]+)\"").find(item)?.groupValues?.get(1) ?: error(item)
            key to item
        }
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

/**
 * A gate in front of [target] on loopback: forwards each POST to it while [pass] is above
 * zero (counting down), answers 503 otherwise, and can hold one request until [release].
 * Records every body the phone sent, whatever was answered.
 */
private class Gate(private val target: String) : AutoCloseable {
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    private val pool = Executors.newCachedThreadPool { r -> Thread(r, "report-gate").apply { isDaemon = true } }
    // HTTP/1.1 as a phone speaks it (the JDK's default would ask to upgrade to h2c).
    private val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()

    /** Reports still let through; below zero: all. */
    val pass = AtomicInteger(-1)

    /** When set, the next request waits here (after [held] counts down) before it is forwarded. */
    @Volatile var hold: CountDownLatch? = null
    val held = CountDownLatch(1)

    /** Every body received, in order. */
    val bodies = CopyOnWriteArrayList<String>()

    /** The idempotency keys forwarded to the receiver and answered 2xx by it. */
    val delivered = CopyOnWriteArrayList<String>()

    val url: String get() = "http://127.0.0.1:${server.address.port}/"

    init {
        server.createContext("/") { exchange ->
            exchange.use {
                val body = it.requestBody.readBytes()
                bodies.add(String(body))
                hold?.let { latch ->
                    hold = null
                    held.countDown()
                    latch.await(30, TimeUnit.SECONDS)
                }
                val left = pass.getAndUpdate { n -> if (n > 0) n - 1 else n }
                if (left == 0) {
                    it.sendResponseHeaders(503, -1)
                    return@use
                }
                val answer = client.send(
                    HttpRequest.newBuilder(URI(target)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray(),
                )
                if (answer.statusCode() in 200..299) {
                    delivered.add(Regex("\"idempotency_key\"\\s*:\\s*\"([0-9a-f]+)\"").find(String(body))!!.groupValues[1])
                }
                it.sendResponseHeaders(answer.statusCode(), answer.body().size.toLong().takeIf { n -> n > 0 } ?: -1)
                if (answer.body().isNotEmpty()) it.responseBody.use { out -> out.write(answer.body()) }
            }
        }
        server.executor = pool
        server.start()
    }

    override fun close() {
        hold?.countDown()
        server.stop(0)
        pool.shutdownNow()
    }
}

class ReportsTest {
    @TempDir
    lateinit var work: File

    /** Makes the receiver's key pair; returns its public key file. */
    private fun receiverKey(): String = Regex("\"public\": \"([^\"]+)\"").find(
        cli("reports", "keygen", "--out", File(work, "receiver-keys").path, "--json"),
    )!!.groupValues[1]

    /** Publishes the demo listings naming the receiver at [url] with key [public]; returns the repository and its root. */
    private fun publishNaming(url: String, public: String): Pair<File, ByteArray> {
        val repo = File(work, "repo")
        cli("keygen", "--out", File(work, "keys").path)
        cli(
            "publish", "--keys", File(work, "keys").path, "--repo", repo.path,
            "--reports-key", public, "--reports-url", url, REPORTS_DEMO.path,
        )
        return repo to File(repo, "metadata/1.root.json").readBytes()
    }

    private fun receiver() = Receiver(File(work, "receiver-keys"), File(work, "inbox"))

    /** A phone that trusts [root] and has synced the demo listings from [repo]. */
    private suspend fun syncedPhone(repo: File, root: ByteArray, name: String = "phone"): Faro {
        val phone = Faro.open(File(work, name))
        phone.installTrustedRoot(root)
        RepoServer(repo).use { server -> phone.sync(server.url, listOf("demo/route"), SEND_QUICK) }
        return phone
    }

    private fun draft(n: Int) = ReportDraft(kind = ReportKind.OTHER, text = "Report $n (demo): the queue moved to the back door.")

    @Test
    fun `reports reach the real receiver once each, sealed, and survive a restart`() = runBlocking<Unit> {
        // The receiver needs its keys before it starts, and the repository its URL.
        val public = receiverKey()
        receiver().use { receiver ->
            val (repo, root) = publishNaming(receiver.url, public)

            // Before a sync there is no key to seal to: nothing is queued.
            Faro.open(File(work, "unsynced")).use { fresh ->
                fresh.installTrustedRoot(root)
                val e = assertFailsWith<FaroException.NoReceiver> { fresh.report(draft(0)) }
                assertContains(e.reason, "sync")
                assertFailsWith<FaroException.NoReceiver> { fresh.sendReports() }
                assertTrue(fresh.reports().isEmpty())
            }

            val keys = syncedPhone(repo, root).use { phone ->
                val bad = assertFailsWith<FaroException.BadInput> {
                    phone.report(ReportDraft(kind = ReportKind.CORRECTION, text = "Closed (demo)."))
                }
                assertContains(bad.reason, "sub_kind")
                val closed = phone.report(
                    ReportDraft(
                        kind = ReportKind.CORRECTION, subKind = SubKind.CLOSED, listing = "demo:necocli-health-01",
                        text = "The health post (demo) closed in November.",
                    ),
                )
                assertEquals(ReportStatus.QUEUED, closed.status)
                assertEquals(SubKind.CLOSED, closed.subKind)
                assertEquals("demo:necocli-health-01", closed.listing)
                assertTrue(closed.sealedBytes > 0uL)
                phone.report(ReportDraft(kind = ReportKind.SUSPECTED_SCAM, contact = SCAM_CONTACT, text = "Offers a bus (demo) north for cash."))
                phone.report(
                    ReportDraft(
                        kind = ReportKind.NEW_PLACE, text = "A parish kitchen (demo) serves lunch.",
                        place = ReportPlace(lat = 14.634915, lon = -90.506882, precise = false),
                    ),
                )
                val dropped = phone.report(draft(4))
                assertEquals(ReportStatus.CANCELLED, phone.cancelReport(dropped.id).status)
                assertFailsWith<FaroException.BadInput> { phone.cancelReport(dropped.id) }
                assertFailsWith<FaroException.NotFound> { phone.cancelReport(9999) }
                phone.reports().filter { it.status == ReportStatus.QUEUED }.map { it.idempotencyKey }.toSet()
            }
            assertEquals(3, keys.size)

            // The process goes away; the outbox is in the database.
            Faro.open(File(work, "phone")).use { phone ->
                val rows = phone.reports()
                assertEquals(listOf(4L, 3L, 2L, 1L), rows.map { it.id })
                assertEquals(keys, rows.filter { it.status == ReportStatus.QUEUED }.map { it.idempotencyKey }.toSet())

                val seen = CopyOnWriteArrayList<ProgressReport>()
                val summary = phone.sendReports(SEND_QUICK) { seen.add(it) }
                assertEquals(Triple(3u, 0u, 0u), Triple(summary.sent, summary.refused, summary.waiting))
                assertEquals(listOf(1L, 2L, 3L), summary.outcomes.map { it.id })
                assertTrue(summary.outcomes.all { it.status == ReportStatus.SENT && it.httpStatus == 201.toUShort() })
                assertEquals(ProgressStage.SENDING_REPORTS, seen.first().stage)
                assertEquals(3uL, seen.first().recordsTotal)
                assertEquals(ProgressStage.FINISHED, seen.last().stage)

                val after = phone.reports()
                assertEquals(3, after.count { it.status == ReportStatus.SENT && it.sealedBytes == 0uL && it.sent != null })
                assertEquals(ReportStatus.CANCELLED, after.first { it.id == 4L }.status)

                // Sending again sends nothing: every report is delivered already.
                val again = phone.sendReports(SEND_QUICK)
                assertEquals(Pair(0u, 0u), Pair(again.sent, again.waiting))
                assertTrue(again.outcomes.isEmpty())
                assertEquals(4uL, phone.forgetReports())
                assertTrue(phone.reports().isEmpty())
            }

            // The publisher reads each report once, with its key: what was written, no more.
            val read = receiver.read()
            assertEquals(keys, read.map { it.first }.toSet())
            assertEquals(3, read.size)
            val byText = read.map { it.second }
            val closedJson = byText.single { it.contains("health post (demo) closed") }
            assertContains(closedJson, "\"sub_kind\": \"closed\"")
            assertContains(closedJson, "\"dataset\": \"demo/route\"")
            assertContains(byText.single { it.contains("suspected_scam") }, SCAM_CONTACT)
            val place = byText.single { it.contains("new_place") }
            assertContains(place, "14.63")
            assertFalse(place.contains("14.6349") || place.contains("90.5068"), place)
            assertContains(place, "\"precision\": \"rounded\"")
            assertTrue(byText.none { it.contains("Report 4 (demo)") })
            // The envelopes on the receiver's disk are ciphertext.
            val stored = File(work, "inbox").walk().filter { it.isFile }.map { it.readText() }.joinToString("\n")
            assertFalse(stored.contains("health post") || stored.contains("201 555"), "plaintext on the receiver's disk")
        }
    }

    @Test
    fun `a receiver failing half-way keeps the rest queued, and they go later, none twice`() = runBlocking<Unit> {
        val public = receiverKey()
        receiver().use { receiver ->
            Gate(receiver.url).use { gate ->
                val (repo, root) = publishNaming(gate.url, public)
                syncedPhone(repo, root).use { phone ->
                    val queued = (1..5).map { phone.report(draft(it)) }
                    val keys = queued.map { it.idempotencyKey }

                    // Two go through, then the receiver answers 503.
                    gate.pass.set(2)
                    val first = phone.sendReports(SEND_QUICK)
                    assertEquals(Pair(2u, 3u), Pair(first.sent, first.waiting), "${first.outcomes}")
                    assertEquals(listOf(ReportStatus.SENT, ReportStatus.SENT, ReportStatus.QUEUED), first.outcomes.map { it.status })
                    assertEquals(503.toUShort(), first.outcomes.last().httpStatus)
                    val failed = phone.reports().first { it.id == queued[2].id }
                    assertEquals(ReportStatus.QUEUED, failed.status)
                    assertEquals(1u, failed.attempts)
                    assertNotNull(failed.nextTry)
                    assertContains(failed.lastError ?: "", "503")
                    // Reports 4 and 5 were not tried: the send stopped at the first refusal.
                    assertEquals(3, gate.bodies.size)
                    assertEquals(keys.take(2), receiver.read().map { it.first }.sortedBy { keys.indexOf(it) })

                    // The failed report waits for its backoff: a plain send tries nothing.
                    gate.pass.set(-1)
                    val early = phone.sendReports(SEND_QUICK)
                    assertTrue(early.outcomes.isEmpty())
                    assertEquals(3u, early.waiting)

                    // "Send now" while the receiver holds one: cancelling the coroutine stops the
                    // send, and the report in flight stays queued.
                    val hold = CountDownLatch(1)
                    gate.hold = hold
                    val sending = async(Dispatchers.Default) { phone.sendReports(SEND_QUICK, sendNow = true) }
                    assertTrue(withContext(Dispatchers.IO) { gate.held.await(20, TimeUnit.SECONDS) })
                    sending.cancel()
                    assertIs<CancellationException>(runCatching { sending.await() }.exceptionOrNull())
                    hold.countDown()
                    val afterCancel = phone.reports()
                    assertEquals(3, afterCancel.count { it.status == ReportStatus.QUEUED })

                    // The rest go now, through the Flow: each reaches the publisher once.
                    val events = phone.sendReportsFlow(SEND_QUICK, sendNow = true).toList()
                    val done = assertIs<SendReportsEvent.Finished>(events.last()).summary
                    assertEquals(0u, done.waiting)
                    assertTrue(events.dropLast(1).all { it is SendReportsEvent.Progressed })
                    assertTrue(phone.reports().all { it.status == ReportStatus.SENT })

                    val read = receiver.read().map { it.first }
                    assertEquals(keys.toSet(), read.toSet())
                    assertEquals(5, read.size)
                    // The held report may have been delivered when released (its answer lost to
                    // the cancelled phone) and then sent again: the receiver stored it once.
                    assertTrue(gate.delivered.toSet() == keys.toSet(), "${gate.delivered}")

                    // Every byte the phone sent: ciphertext, the key id and the random key only.
                    for (body in gate.bodies) {
                        assertFalse(body.contains("demo") || body.contains("back door"), body)
                        assertEquals(setOf("faro_report", "key_id", "idempotency_key", "enc", "ct"),
                            Regex("\"([a-z_]+)\":").findAll(body).map { it.groupValues[1] }.toSet(), body)
                    }
                }
            }
        }
    }
}
