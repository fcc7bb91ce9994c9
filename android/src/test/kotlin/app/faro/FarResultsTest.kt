// Issue 12 item 1 through the Kotlin API: a group filter finds only places that name the
// group, and a search near a point without a radius marks places beyond 50 km as far.
package app.faro

import app.faro.ffi.Audience
import app.faro.ffi.GeoPoint
import app.faro.ffi.Kind
import app.faro.ffi.SearchRequest
import java.io.File
import kotlinx.coroutines.runBlocking
import kotlin.test.assertContains
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class FarResultsTest {
    @TempDir
    lateinit var tmp: File

    @Test
    fun `minors near Tijuana are only far places that take minors, and say so`() = runBlocking {
        val demo = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")
        val faro = Faro.open(File(tmp, "store"))
        try {
            faro.importListings(demo)
            val tijuana = GeoPoint(lat = 32.5149, lon = -117.0382)
            val minors = faro.search(
                SearchRequest(near = tijuana, kinds = listOf(Kind.SHELTER), serves = listOf(Audience.UNACCOMPANIED_MINORS)),
            )
            assertTrue(minors.isNotEmpty())
            minors.forEach {
                assertContains(it.listing.serves, Audience.UNACCOMPANIED_MINORS)
                assertTrue(it.far && it.distanceM!! > 50_000.0, "${it.listing.id} at ${it.distanceM} m")
            }
            // The nearest shelters of any kind are near; with a radius nothing is far.
            assertFalse(faro.search(SearchRequest(near = tijuana, kinds = listOf(Kind.SHELTER)))[0].far)
            val within = faro.search(SearchRequest(near = tijuana, radiusM = 5_000_000.0, limit = 100u))
            assertTrue(within.isNotEmpty() && within.none { it.far })
        } finally {
            faro.close()
        }
    }
}
