// Issue 12 item 4 through the Kotlin API: a country named in words, in any of the five
// languages, finds that country's missions first, before the missions located in it.
package app.faro

import app.faro.ffi.SearchRequest
import java.io.File
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Two invented missions (demo data), each located in the country the other represents. */
private val MISSIONS = """
{"faro":"listings","version":1,"dataset":"local/missions-test","demo":true}
{"id":"demo:hn-embassy-in-mx","kind":"consulate","name":{"es":"Embajada de Honduras en México (demo)"},"consulate":{"represents":"HN","mission_type":"embassy"},"address":{"locality":"Ciudad de México","country":"MX"},"location":{"lat":19.4326,"lon":-99.1332},"timezone":"America/Mexico_City","demo":true}
{"id":"demo:mx-embassy-in-hn","kind":"consulate","name":{"es":"Embajada de México en Honduras (demo)"},"consulate":{"represents":"MX","mission_type":"embassy"},"address":{"locality":"Tegucigalpa","country":"HN"},"location":{"lat":14.0723,"lon":-87.1921},"timezone":"America/Tegucigalpa","demo":true}
""".trimIndent()

class CountryNameTest {
    @TempDir
    lateinit var tmp: File

    @Test
    fun `a country named in es, en, fr, ht or pt finds its own missions first`() = runBlocking {
        val file = File(tmp, "missions.jsonl").apply { writeText(MISSIONS + "\n") }
        val faro = Faro.open(File(tmp, "store"))
        try {
            faro.importListings(file)
            for (text in listOf("embajada de honduras", "consulado de Honduras", "embassy of Honduras", "ambassade du Honduras", "anbasad Ondiras", "embaixada de Honduras")) {
                val hits = faro.search(SearchRequest(text = text))
                assertTrue(hits.isNotEmpty(), "nothing for '$text'")
                assertEquals("demo:hn-embassy-in-mx", hits[0].listing.id, "'$text' first gave ${hits.map { it.listing.id }}")
            }
            for (text in listOf("embajada de méxico", "ambassade du Mexique", "embaixada do México")) {
                val hits = faro.search(SearchRequest(text = text))
                assertEquals("demo:mx-embassy-in-hn", hits.firstOrNull()?.listing?.id, "'$text' first gave ${hits.map { it.listing.id }}")
            }
        } finally {
            faro.close()
        }
    }
}
