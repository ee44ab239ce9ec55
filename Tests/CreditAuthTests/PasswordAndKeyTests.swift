import CreditTestSupport
import Foundation
import XCTest

@testable import CreditAuth

/// scrypt password hashes and the signing key file.
final class PasswordAndKeyTests: XCTestCase {
    let hasher = PasswordHasher(parameters: .fastForTests)

    func testHashAndVerify() {
        let stored = hasher.hash("correct horse battery")
        XCTAssertTrue(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        XCTAssertTrue(hasher.verify("correct horse battery", against: stored))
        XCTAssertFalse(hasher.verify("correct horse batterY", against: stored))
        XCTAssertNotEqual(hasher.hash("same"), hasher.hash("same"), "each hash has its own salt")
    }

    func testMalformedStoredHashesNeverVerify() {
        for stored in [
            "", "plain", "$scrypt$ln=10,r=8,p=1$", "$bcrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$scrypt$ln=10,r=8,p=1$%%%$AAAA", "$scrypt$ln=10,r=999,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
        ] {
            XCTAssertFalse(hasher.verify("anything", against: stored), stored)
        }
    }

    func testRehashWhenParametersAreWeaker() {
        let weak = hasher.hash("pw")
        XCTAssertTrue(PasswordHasher().needsRehash(weak))
        XCTAssertFalse(hasher.needsRehash(weak))
    }

    func testOWASPParametersWorkWithinOpenSSLMemoryLimit() {
        let strong = PasswordHasher()
        let started = Date()
        let stored = strong.hash("a long passphrase")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(stored.hasPrefix("$scrypt$ln=13,r=8,p=10$"))
        XCTAssertTrue(strong.verify("a long passphrase", against: stored))
        XCTAssertGreaterThan(elapsed, 0.01, "a slow KDF really does work")
        // Hashes made with the earlier setting (N=2^14, r=8, p=5, the same work) still verify and need no rehash.
        let earlier = PasswordHasher(parameters: .init(n: 1 << 14, r: 8, p: 5)).hash("old passphrase")
        XCTAssertTrue(strong.verify("old passphrase", against: earlier))
        XCTAssertFalse(strong.needsRehash(earlier))
    }

    func testABurstOfHashesRunsAtMostTwoAtATime() {
        let hasher = PasswordHasher(parameters: .init(n: 1 << 12, r: 8, p: 2))
        PasswordHasher.slots.resetPeak()  // the counter is process-wide: earlier tests hashed too
        DispatchQueue.concurrentPerform(iterations: 8) { _ in _ = hasher.hash("x") }
        XCTAssertEqual(PasswordHasher.slots.peak, PasswordHasher.maxConcurrentHashes, "hashes overlap, but never more than the cap")
    }

    func testSecretKeyFile() throws {
        let temporary = try TemporaryDirectory(prefix: "key")
        defer { temporary.remove() }
        let directory = temporary.url
        let path = directory.appendingPathComponent("secret.key").path
        XCTAssertThrowsError(try SecretKeyFile.load(path: path)) { XCTAssertEqual($0 as? SecretKeyError, .missing(path: path)) }
        try SecretKeyFile.create(path: path)
        XCTAssertEqual(try SecretKeyFile.load(path: path).count, 64)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o600)
        XCTAssertThrowsError(try SecretKeyFile.create(path: path)) { XCTAssertEqual($0 as? SecretKeyError, .alreadyExists(path: path)) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try SecretKeyFile.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("chmod 600"), "\(error)")
        }
        let short = directory.appendingPathComponent("short.key").path
        FileManager.default.createFile(atPath: short, contents: Data(repeating: 1, count: 10), attributes: [.posixPermissions: 0o600])
        XCTAssertThrowsError(try SecretKeyFile.load(path: short)) { XCTAssertEqual($0 as? SecretKeyError, .tooShort(path: short, bytes: 10)) }
    }
}
