// Saved places, notes and forgetPersonalData through the Kotlin wrapper, against the real
// host-built libfaro_ffi.so and real SQLite files (issue 11 items 2 and 3).
package app.faro

import app.faro.ffi.FaroException
import java.io.File
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

private val DEMO_LISTINGS = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")
private const val SHELTER = "demo:tapachula-shelter-01"
private const val CLINIC = "demo:necocli-health-01"
private val KEY = ByteArray(32) { (it * 7 + 3).toByte() }

class PersonalDataTest {
    @TempDir
    lateinit var tmp: File
    private lateinit var faro: Faro
    private val storeDir get() = File(tmp, "store")

    @BeforeEach
    fun openAndImportDemo() = runBlocking {
        faro = Faro.open(storeDir)
        faro.importListings(DEMO_LISTINGS)
        Unit
    }

    @AfterEach
    fun close() = faro.close()

    private fun personalFiles() = storeDir.listFiles()!!.filter { it.name.startsWith("personal.sqlite") }

    @Test
    fun `favorites are added, listed with their names, removed, and forgotten while the directory answers`() = runBlocking {
        assertFailsWith<FaroException.Locked> { faro.favorites() }
        assertFailsWith<FaroException.BadInput> { faro.unlockPersonalData(ByteArray(16)) }
        faro.unlockPersonalData(KEY)
        assertTrue(faro.isPersonalDataUnlocked())

        assertTrue(faro.addFavorite(SHELTER, label = "Casa demo-label"))
        assertTrue(faro.addFavorite(CLINIC))
        assertFalse(faro.addFavorite(CLINIC, label = "clinic demo"))
        assertFailsWith<FaroException.NotFound> { faro.addFavorite("demo:not-in-directory") }
        val favorites = faro.favorites(languages = listOf("en"))
        assertEquals(listOf(SHELTER, CLINIC), favorites.map { it.listingId })
        assertEquals(listOf("Casa demo-label", "clinic demo"), favorites.map { it.label })
        assertTrue(favorites.all { it.inDirectory && it.name != null && it.kind != null })
        assertTrue(faro.removeFavorite(CLINIC))
        assertFalse(faro.removeFavorite(CLINIC))
        assertEquals(listOf(SHELTER), faro.favorites().map { it.listingId })

        val id = faro.addNote("Ask for the demo volunteer", listingId = SHELTER)
        faro.editNote(id, "Ask for the demo volunteer at noon")
        assertEquals("Ask for the demo volunteer at noon", faro.notes(SHELTER).single().text)
        assertFailsWith<FaroException.NotFound> { faro.editNote(id + 100uL, "x") }

        // The saved bytes hold none of it in clear.
        val bytes = personalFiles().flatMap { it.readBytes().toList() }.toByteArray().toString(Charsets.ISO_8859_1)
        for (secret in listOf(SHELTER, "Casa demo-label", "demo volunteer")) {
            assertFalse(bytes.contains(secret), secret)
        }

        // A wrong key: refused, nothing lost.
        faro.lockPersonalData()
        assertFailsWith<FaroException.WrongKey> { faro.unlockPersonalData(ByteArray(32)) }
        faro.unlockPersonalData(KEY)
        assertEquals(1, faro.favorites().size)

        faro.forgetPersonalData()
        assertEquals(emptyList(), personalFiles())
        assertFalse(faro.isPersonalDataUnlocked())
        assertFailsWith<FaroException.Locked> { faro.notes() }
        assertNotNull(faro.listing(SHELTER))
        assertTrue(faro.search(app.faro.ffi.SearchRequest(text = "salud")).isNotEmpty())
        faro.unlockPersonalData(KEY)
        assertEquals(emptyList(), faro.favorites())
    }
}
