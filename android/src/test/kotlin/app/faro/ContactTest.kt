// "Is this contact real?" from Kotlin on the demo listings, through the real host-built
// libfaro_ffi.so: the inputs that once read OFFICIAL for accounts and addresses no listing
// names (issue 15, items 1-3), on the demo listings signed and synced (SignedDemo); and the
// same listings imported locally, whose records say verified, which never read OFFICIAL.
package app.faro

import app.faro.ffi.Relation
import app.faro.ffi.Verdict
import java.io.File
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private val DEMO_LISTINGS = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")

class ContactTest {
    @TempDir
    lateinit var tmp: File
    private lateinit var faro: Faro

    @BeforeEach
    fun openTheSignedDemo() = runBlocking {
        faro = SignedDemo.open(File(tmp, "store"))
        Unit
    }

    @AfterEach
    fun close() = faro.close()

    @Test
    fun `t_me s prefix is another account`() = runBlocking {
        assertEquals(Verdict.OFFICIAL, faro.checkContact("https://t.me/s/demo_colibri_salud").verdict)
        for (input in listOf("https://t.me/sdemo_colibri_salud", "https://t.me/sssssdemo_colibri_salud", "telegram.me/sdemo_colibri_salud")) {
            assertEquals(Verdict.LOOKALIKE, faro.checkContact(input).verdict, input)
        }
    }

    @Test
    fun `a bare handle only shares the name of an account on one network`() = runBlocking {
        assertEquals(Verdict.OFFICIAL, faro.checkContact("https://www.facebook.com/demo_puentesur").verdict)
        val bare = faro.checkContact("@demo_puentesur")
        assertEquals(Verdict.NAME_MATCH, bare.verdict)
        val match = bare.matches.first()
        assertEquals("demo:tapachula-legal-01", match.id)
        assertEquals(Relation.SameNameNoNetwork, match.relation)
        assertEquals("facebook", match.network)
        assertEquals(Verdict.NAME_MATCH, faro.checkContact("https://t.me/demo_puentesur").verdict)
    }

    @Test
    fun `a listed number that nobody verified says so, by whom and from which data`() = runBlocking {
        val file = File(tmp, "local.jsonl")
        file.writeText(
            "{\"faro\":\"listings\",\"version\":1,\"dataset\":\"test/local\",\"demo\":true}\n" +
                "{\"id\":\"demo:unverified-01\",\"kind\":\"legal_aid\",\"name\":{\"es\":\"Sin verificar (demo)\"}," +
                "\"address\":{\"locality\":\"Tapachula\",\"country\":\"MX\"},\"phones\":[{\"number\":\"+529625550199\"}],\"demo\":true}\n",
        )
        faro.importListings(file)
        // Written the pre-2019 Mexican way, as WhatsApp links still do.
        for (input in listOf("+52 1 962 555 0199", "https://wa.me/5219625550199", "962 555 0199")) {
            val check = faro.checkContact(input, region = "MX")
            assertEquals(Verdict.LISTED, check.verdict, input)
            assertEquals("+529625550199", check.normalized, input)
            val match = check.matches.first()
            assertEquals(Relation.ListedNotVerified, match.relation)
            assertEquals("demo:unverified-01", match.id)
            assertEquals("test/local", match.dataset)
            assertFalse(match.datasetVerified)
        }
        // Another reading of a number is kept apart from the number itself.
        val foreign = faro.checkContact("00 52 962 555 0199", region = "US")
        assertEquals(null, foreign.normalized)
        assertEquals(listOf("+529625550199"), foreign.also)
    }

    @Test
    fun `a site listed with a path owns that path, not its domain`() = runBlocking {
        assertEquals(Verdict.OFFICIAL, faro.checkContact("https://example.org/faro-demo/esperanza/citas").verdict)
        assertEquals(Verdict.OFFICIAL, faro.checkContact("clinica.esperanza@example.org").verdict)
        for (input in listOf("scammer@example.org", "https://evil.example.org/", "https://example.org/pagos")) {
            val check = faro.checkContact(input)
            assertNotEquals(Verdict.OFFICIAL, check.verdict, input)
            assertEquals(Verdict.UNKNOWN, check.verdict, input)
        }
        val scam = faro.checkContact("scammer@example.org")
        assertTrue(scam.matches.isNotEmpty() && scam.matches.all { it.relation == Relation.SameDomainNotListed })
    }

    @Test
    fun `a local import that says it is verified is listed, never official`() = runBlocking {
        Faro.open(File(tmp, "local")).use { local ->
            local.importListings(DEMO_LISTINGS)
            for (input in listOf("+1 915 555 0123", "https://www.facebook.com/demo_puentesur", "clinica.esperanza@example.org")) {
                assertEquals(Verdict.OFFICIAL, faro.checkContact(input, region = "US").verdict, "$input: signed")
                val check = local.checkContact(input, region = "US")
                assertEquals(Verdict.LISTED, check.verdict, "$input: imported locally")
                val match = check.matches.first()
                assertEquals(Relation.ListedNotVerified, match.relation, input)
                assertEquals("demo/route", match.dataset, input)
                assertFalse(match.datasetVerified, input)
            }
            assertTrue(faro.checkContact("https://www.facebook.com/demo_puentesur", region = "US").matches.first().datasetVerified)
            // Nothing official to imitate either.
            assertEquals(Verdict.LOOKALIKE, faro.checkContact("@demo_puentesur1").verdict)
            assertEquals(Verdict.UNKNOWN, local.checkContact("@demo_puentesur1").verdict)
        }
    }
}
