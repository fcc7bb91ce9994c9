// "Is this contact real?" from Swift on the demo listings, through the real host-built
// libfaro_ffi.so: the inputs that once read OFFICIAL for accounts and addresses no listing
// names (issue 15, items 1-3).
import Foundation
import XCTest
@testable import Faro

private let demoListings = ProcessInfo.processInfo.environment["FARO_DEMO_LISTINGS"] ?? "../data/demo/listings.jsonl"

final class ContactTests: XCTestCase {
    var dir: URL!
    var faro: Faro!

    override func setUp() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-contact-\(UUID().uuidString)")
        faro = try await Faro.open(directory: dir.appendingPathComponent("store"))
        _ = try await faro.importListings(file: URL(fileURLWithPath: demoListings))
    }

    override func tearDown() async throws {
        faro.close()
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
}
