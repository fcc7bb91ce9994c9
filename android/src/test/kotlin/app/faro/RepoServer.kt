// A real HTTP server on loopback (the JDK's com.sun.net.httpserver) serving a Faro repository
// folder, with the knobs the sync tests need: a slow body for target files, a hook when a
// target is first requested, and byte tampering of targets. Supports `Range: bytes=N-` so an
// interrupted download resumes as it would against nginx or a CDN.
package app.faro

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.io.File
import java.net.InetSocketAddress
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors

class RepoServer(private val root: File) : AutoCloseable {
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    private val pool = Executors.newCachedThreadPool { r -> Thread(r, "repo-server").apply { isDaemon = true } }

    /** Milliseconds to wait after each 1 KiB of a target file's body (0: full speed). */
    @Volatile var targetDelayMs: Long = 0

    /** Called on the server thread when a target file is requested, before its body is sent. */
    @Volatile var onTarget: (() -> Unit)? = null

    /** When true, one byte in the middle of every target file is flipped. */
    @Volatile var tamperTargets: Boolean = false

    /** Paths requested so far, with the status answered. */
    val requests = CopyOnWriteArrayList<String>()

    /** The repository's base URL. */
    val url: String get() = "http://127.0.0.1:${server.address.port}/"

    init {
        server.createContext("/") { exchange -> exchange.use { serve(it) } }
        server.executor = pool
        server.start()
    }

    private fun serve(exchange: HttpExchange) {
        val path = exchange.requestURI.path.trimStart('/')
        val file = File(root, path).canonicalFile
        if (!file.path.startsWith(root.canonicalPath) || !file.isFile) {
            requests.add("$path 404")
            exchange.sendResponseHeaders(404, -1)
            return
        }
        val isTarget = path.startsWith("targets/")
        var bytes = file.readBytes()
        if (isTarget && tamperTargets) {
            bytes = bytes.copyOf().also { it[it.size / 2] = (it[it.size / 2].toInt() xor 0x20).toByte() }
        }
        val from = Regex("bytes=(\\d+)-").find(exchange.requestHeaders.getFirst("Range") ?: "")
            ?.groupValues?.get(1)?.toInt()
        val start = if (from != null && from < bytes.size) from else 0
        if (start > 0) {
            exchange.responseHeaders.add("Content-Range", "bytes $start-${bytes.size - 1}/${bytes.size}")
        }
        exchange.responseHeaders.add("Content-Type", "application/octet-stream")
        val status = if (start > 0) 206 else 200
        requests.add("$path $status")
        if (isTarget) onTarget?.invoke()
        exchange.sendResponseHeaders(status, (bytes.size - start).toLong())
        try {
            exchange.responseBody.use { out ->
                var at = start
                while (at < bytes.size) {
                    val n = minOf(1024, bytes.size - at)
                    out.write(bytes, at, n)
                    out.flush()
                    at += n
                    if (isTarget && targetDelayMs > 0) Thread.sleep(targetDelayMs)
                }
            }
        } catch (e: java.io.IOException) {
            // The client hung up (a cancelled sync): nothing to answer.
        }
    }

    override fun close() {
        server.stop(0)
        pool.shutdownNow()
    }
}
