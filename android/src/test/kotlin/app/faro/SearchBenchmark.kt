// The cost of one FFI search call from Kotlin against the same call inside Rust: same store,
// same queries, same process. Run: scripts/kotlin.sh bench [LISTINGS] (docs/benchmarks.md).
package app.faro

import app.faro.ffi.FaroStore
import app.faro.ffi.GeoPoint
import app.faro.ffi.Kind
import app.faro.ffi.SearchRequest
import java.io.File
import java.nio.file.Files

private fun percentile(sorted: List<Long>, p: Double): Double = sorted[((sorted.size - 1) * p).toInt()] / 1000.0

fun main(args: Array<String>) {
    val copies = ((args.firstOrNull()?.toIntOrNull() ?: 10_000) / 73).coerceAtLeast(1)
    val dir = Files.createTempDirectory("faro-bench").toFile()
    val demo = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")
    val lines = demo.readLines()
    val file = File(dir, "bulk.jsonl")
    file.bufferedWriter().use { w ->
        w.write(lines[0]); w.newLine()
        for (i in 0 until copies) for (line in lines.drop(1)) {
            if (line.isNotBlank()) { w.write(line.replaceFirst("\"id\":\"demo:", "\"id\":\"demo:b$i-")); w.newLine() }
        }
    }
    val store = FaroStore.open(File(dir, "store").path)
    val summary = store.importListings(file.path)
    val queries = mapOf(
        "text 'salud'" to SearchRequest(text = "salud", limit = 20u),
        "text 'asesoria jur'" to SearchRequest(text = "asesoria jur", limit = 20u),
        "nearest 20 health" to SearchRequest(near = GeoPoint(14.9057, -92.2630), kinds = listOf(Kind.HEALTH), limit = 20u),
        "text 'salud', limit 1" to SearchRequest(text = "salud", limit = 1u),
    )
    val iterations = 300
    println("listings: ${store.listingCount()} (inserted ${summary.inserted}); $iterations calls per query after 50 warm-up")
    println("%-26s %12s %12s %12s %12s".format("query", "kotlin p50", "kotlin mean", "rust mean", "ffi cost"))
    for ((name, request) in queries) {
        repeat(50) { store.search(request) }
        val times = (0 until iterations).map {
            val t0 = System.nanoTime(); store.search(request); System.nanoTime() - t0
        }.sorted()
        val kotlinMean = times.average() / 1000.0
        val rustMean = store.timeSearchInRust(request, iterations.toUInt()).toNanos() / 1000.0
        println("%-26s %10.1fµs %10.1fµs %10.1fµs %10.1fµs".format(name, percentile(times, 0.5), kotlinMean, rustMean, kotlinMean - rustMean))
    }
    store.closeStore()
    store.close()
    dir.deleteRecursively()
}
