// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CreditScoring",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "CreditModel", targets: ["CreditModel"]),
        .executable(name: "credit", targets: ["credit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure Swift: applicant schema, PAKDD reader, features, models, explanations,
        // metrics and the model file. No network, no database, no C library.
        .target(name: "CreditModel"),
        // Admin and training command line.
        .executableTarget(
            name: "credit",
            dependencies: [
                "CreditModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CreditModelTests", dependencies: ["CreditModel"]),
    ]
)
