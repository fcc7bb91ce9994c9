// The Faro AAR: generated UniFFI bindings + the idiomatic layer (src/main/kotlin) + libfaro_ffi.so
// for arm64-v8a, armeabi-v7a and x86_64, built with cargo-ndk in the [profile.mobile] profile.
// NOT built on the project machine; see README.md for the steps on an Android machine.
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.21"
}

val repoRoot = rootDir.parentFile
val jniLibsDir = layout.buildDirectory.dir("rustJniLibs")
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi")

android {
    namespace = "app.faro"
    compileSdk = 35
    defaultConfig {
        // Android 7.0: the oldest release still common on the cheap phones Faro targets, and
        // the NDK's lowest supported level for all three ABIs.
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    sourceSets["main"].java.srcDir(generatedKotlin)
    sourceSets["main"].jniLibs.srcDir(jniLibsDir)
    buildTypes { release { isMinifyEnabled = false } }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}

// cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o build/rustJniLibs build --profile mobile -p faro-ffi
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "24",
        "-o", jniLibsDir.get().asFile.path,
        "build", "--locked", "--profile", "mobile", "-p", "faro-ffi",
    )
}

// Bindings from the host debug build (the mobile build is stripped of UniFFI's metadata).
val generateBindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    doFirst { project.exec { workingDir = repoRoot; commandLine("cargo", "build", "--locked", "-p", "faro-ffi") } }
    commandLine(
        "cargo", "uniffi-bindgen", "generate", "--no-format",
        "--library", File(repoRoot, "target/debug/libfaro_ffi.so").path,
        "--language", "kotlin", "--out-dir", generatedKotlin.get().asFile.path,
    )
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }
