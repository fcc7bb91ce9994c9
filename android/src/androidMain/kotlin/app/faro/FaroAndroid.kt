// Android-only entry points: compiled into the AAR by build.gradle.kts, not into the desktop
// JVM build (pom.xml), which has no android.content.Context.
package app.faro

import android.content.Context
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

/**
 * Opens (or creates) the app's store in `context.noBackupFilesDir/faro`: kept out of Auto
 * Backup and device-to-device transfer (the data is downloaded again; a backup would keep a copy
 * of what the person looked at), and in credential-encrypted storage, which a WorkManager sync
 * can use once the phone has been unlocked after a reboot. Open one store per process and keep
 * it (an Application-scoped singleton): see docs/mobile.md.
 */
suspend fun Faro.Companion.openDefault(context: Context, dispatcher: CoroutineDispatcher = Dispatchers.IO): Faro =
    openDefault(context.applicationContext.noBackupFilesDir, dispatcher)
