// "Is this contact real?" from Swift on the demo listings, through the real host-built
// libfaro_ffi.so: the inputs that once read OFFICIAL for accounts and addresses no listing
// names (issue 15, items 1-3), on the demo signed and synced (scripts/swift.sh's demo bundle,
// imported verified); and the same listings imported locally, whose records say verified,
// which never read OFFICIAL.
import Foundation
import XCTest
@testable import Faro

private let env = ProcessInfo.processInfo.environment
private let demoListings = env["FARO_DEMO_LISTINGS"] ?? "../data/demo/listings.jsonl"

final class ContactTests: XCTestCase {
    var dir: URL!
    var faro: Faro!

    override func setUp() async throws {
        guard let rootFile = env["FARO_ROOT_FILE"], let bundleFile = env["FARO_DEMO_BUNDLE"] else {
            // Not silently green: OFFICIAL needs the signed demo bundle scripts/swift.sh makes.
            XCTFail("run through scripts/swift.sh test (FARO_ROOT_FILE and FARO_DEMO_BUNDLE are not set)")
            throw XCTSkip("no signed demo bundle")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-contact-\(UUID().uuidString)")
        faro = try await Faro.open(directory: dir.appendingPathComponent("store"))
        _ = try await faro.installTrustedRoot(try Data(contentsOf: URL(fileURLWithPath: rootFile)))
        _ = try await faro.importBundle(from: URL(fileURLWithPath: bundleFile))
    }

    override func tearDown() async throws {
        faro?.close()
        try? FileManager.default.removeItem(at: dir)
    }

    func testTelegramSPrefixIsAnotherAccount() async throws {
        let preview = try await faro.checkContact("https://t.me/s/demo_colibri_salud")
        XCTAssertEqual(preview.verdict, .official)
        for input in ["https://t.me/sdemo_colibri_salud", "https://t.me/sssssdemo_colibri_salud", "telegram.me/sdemo_colibri_salud"] {
            let check = try await faro.checkContact(input)
            XCTAssertEqual(check.verdict, .lookalike, input)
        }
    }

    func testBareHandleOnlySharesTheNameOfAnAccountOnOneNetwork() async throws {
        let link = try await faro.checkContact("https://www.facebook.com/demo_puentesur")
        XCTAssertEqual(link.verdict, .official)
        let bare = try await faro.checkContact("@demo_puentesur")
        XCTAssertEqual(bare.verdict, .nameMatch)
        XCTAssertEqual(bare.matches.first?.id, "demo:tapachula-legal-01")
        XCTAssertEqual(bare.matches.first?.relation, .sameNameNoNetwork)
        XCTAssertEqual(bare.matches.first?.network, "facebook")
        let telegram = try await faro.checkContact("https://t.me/demo_puentesur")
        XCTAssertEqual(telegram.verdict, .nameMatch)
    }

    func testSiteListedWithAPathOwnsThatPathNotItsDomain() async throws {
        for input in ["https://example.org/faro-demo/esperanza/citas", "clinica.esperanza@example.org"] {
            let check = try await faro.checkContact(input)
            XCTAssertEqual(check.verdict, .official, input)
        }
        for input in ["scammer@example.org", "https://evil.example.org/", "https://example.org/pagos"] {
            let check = try await faro.checkContact(input)
            XCTAssertEqual(check.verdict, .unknown, input)
        }
        let scam = try await faro.checkContact("scammer@example.org")
        XCTAssertFalse(scam.matches.isEmpty)
        XCTAssertTrue(scam.matches.allSatisfy { $0.relation == .sameDomainNotListed })
    }

    func testALocalImportThatSaysItIsVerifiedIsListedNeverOfficial() async throws {
        let local = try await Faro.open(directory: dir.appendingPathComponent("local"))
        defer { local.close() }
        _ = try await local.importListings(file: URL(fileURLWithPath: demoListings))
        for input in ["+1 915 555 0123", "https://www.facebook.com/demo_puentesur", "clinica.esperanza@example.org"] {
            let signed = try await faro.checkContact(input, region: "US")
            XCTAssertEqual(signed.verdict, .official, input)
            XCTAssertEqual(signed.matches.first?.datasetVerified, true, input)
            let check = try await local.checkContact(input, region: "US")
            XCTAssertEqual(check.verdict, .listed, input)
            XCTAssertEqual(check.matches.first?.relation, .listedNotVerified, input)
            XCTAssertEqual(check.matches.first?.dataset, "demo/route", input)
            XCTAssertEqual(check.matches.first?.datasetVerified, false, input)
        }
        // Nothing official to imitate either.
        let imitation = try await faro.checkContact("@demo_puentesur1")
        XCTAssertEqual(imitation.verdict, .lookalike)
        let unknown = try await local.checkContact("@demo_puentesur1")
        XCTAssertEqual(unknown.verdict, .unknown)
    }
}
