// The demo listings as a phone gets them, for the tests that need OFFICIAL (only a signed
// dataset makes a contact official; a local import never does): published once per test run
// with fresh keys by the host-built `faro` CLI (keygen + publish), served by RepoServer on
// loopback, synced by one phone and exported as a bundle, which each test imports, verified,
// into its own store.
package app.faro

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

object SignedDemo {
    private val cli = File(System.getProperty("faro.cli") ?: "../target/debug/faro")
    private val listings = File(System.getProperty("faro.demo.listings") ?: "../data/demo/listings.jsonl")

    private class Made(val root: ByteArray, val bundle: File)

    private val made: Made by lazy {
        val work = Files.createTempDirectory("faro-signed-demo").toFile()
        Runtime.getRuntime().addShutdownHook(Thread { work.deleteRecursively() })
        val keys = File(work, "keys")
        val repo = File(work, "repo")
        run("keygen", "--out", keys.path)
        run("publish", "--keys", keys.path, "--repo", repo.path, listings.path)
        val root = File(repo, "metadata/1.root.json").readBytes()
        val bundle = File(work, "signed-demo.bundle")
        RepoServer(repo).use { server ->
            runBlocking {
                Faro.open(File(work, "publisher-phone")).use { phone ->
                    phone.installTrustedRoot(root)
                    phone.sync(server.url, listOf("demo/route"))
                    phone.exportBundle(bundle)
                }
            }
        }
        Made(root, bundle)
    }

    /** A new store in [dir] that trusts the demo publisher and holds its signed listings. */
    suspend fun open(dir: File): Faro =
        Faro.open(dir).also {
            it.installTrustedRoot(made.root)
            it.importBundle(made.bundle)
        }

    private fun run(vararg args: String) {
        val process = ProcessBuilder(cli.path, *args).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        check(process.waitFor() == 0) { "faro ${args.joinToString(" ")} failed:\n$output" }
    }
}
