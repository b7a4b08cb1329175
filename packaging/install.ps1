<#
.SYNOPSIS
Installs the Netral companion for the current user on Windows: program, per-device token, rules,
Chrome and Edge policy with the same token, a logon task; every change is recorded for uninstall.ps1.

.DESCRIPTION
Run from the dist folder that `python build.py all` produced on Windows, in an elevated PowerShell
of the user who uses Netral (the policy goes to HKLM, the companion runs as that user).
Running it again upgrades and keeps the device token.

Environment (all optional): NETRAL_PORT (47613), NETRAL_TOKEN, NETRAL_RULES_URL,
NETRAL_PREFIX (C:\Program Files\Netral), NETRAL_DATA_DIR (%LOCALAPPDATA%\netral),
NETRAL_POLICY_ROOT (HKLM:\SOFTWARE\Policies; HKCU:\SOFTWARE\Policies for a test without admin).

.EXAMPLE
powershell -ExecutionPolicy Bypass -File .\install.ps1
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Fail([string]$Message) {
    [Console]::Error.WriteLine("install.ps1: $Message")
    exit 1
}
function Or-Default([string]$Value, [string]$Default) { if ($Value) { $Value } else { $Default } }

$here = $PSScriptRoot
$companionSrc = Join-Path $here 'netral-companion'
if (-not (Test-Path (Join-Path $companionSrc 'netral-companionw.exe'))) {
    Fail "no frozen companion in $companionSrc; run 'python build.py all' on Windows and install from its dist folder."
}
$extId = (Get-Content -Raw (Join-Path $here 'extension\extension-id.txt')).Trim()
# The Linux policy JSON is the build's one machine-readable copy of the policy values.
$policy = Get-Content -Raw (Join-Path $here 'policies\linux\netral.json') | ConvertFrom-Json
$forcelist = $policy.ExtensionInstallForcelist[0]
$storage = $policy.'3rdparty'.extensions.$extId

$port = [int](Or-Default $env:NETRAL_PORT '47613')
$url = "http://127.0.0.1:$port"
$prefix = Or-Default $env:NETRAL_PREFIX (Join-Path $env:ProgramFiles 'Netral')
$dataDir = Or-Default $env:NETRAL_DATA_DIR (Join-Path $env:LOCALAPPDATA 'netral')
$policyRoot = Or-Default $env:NETRAL_POLICY_ROOT 'HKLM:\SOFTWARE\Policies'
$manifest = Join-Path $prefix 'install-manifest.txt'
$tokenPath = Join-Path $dataDir 'token'
$user = "$env:USERDOMAIN\$env:USERNAME"
$exe = Join-Path $prefix 'companion\netral-companionw.exe'
$trustedKeys = Join-Path $prefix 'rules\trusted_keys.json'

# Upgrade: remove the previous installation first, keeping its token and the acknowledgement log.
$oldToken = if (Test-Path $tokenPath) { (Get-Content -Raw $tokenPath).Trim() } else { '' }
if (Test-Path $manifest) {
    Write-Output "Removing the previous installation in $prefix first."
    & (Join-Path $here 'uninstall.ps1') -Manifest $manifest -Quiet
}
$token = Or-Default $env:NETRAL_TOKEN $oldToken
if (-not $token) {
    $bytes = New-Object byte[] 32
    [Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $token = -join ($bytes | ForEach-Object { $_.ToString('x2') })
}
if ($token -notmatch '^[A-Za-z0-9._~-]{32,}$') {
    Fail 'NETRAL_TOKEN must be at least 32 letters, digits or . _ ~ -'
}

# Every file, folder, registry value and task added is recorded; uninstall.ps1 removes exactly those.
$records = New-Object System.Collections.Generic.List[string]
function Record([string]$Kind, [string]$Value) { $records.Add("$Kind $Value") }
function Ensure-Dir([string]$Path) {
    if (Test-Path -LiteralPath $Path) { return }
    Ensure-Dir (Split-Path $Path -Parent)
    New-Item -ItemType Directory -Path $Path | Out-Null
    Record 'dir' $Path
}
function Put([string]$Source, [string]$Dest) {
    Ensure-Dir (Split-Path $Dest -Parent)
    Copy-Item -LiteralPath $Source -Destination $Dest
    Record 'file' $Dest
}
function Ensure-Key([string]$Key) {
    if (Test-Path $Key) { return }
    Ensure-Key (Split-Path $Key -Parent)
    New-Item -Path $Key | Out-Null
    Record 'regkey' $Key
}
function Set-Policy([string]$Key, [string]$Name, [string]$Value) {
    Ensure-Key $Key
    New-ItemProperty -Path $Key -Name $Name -Value $Value -PropertyType String -Force | Out-Null
    Record 'regvalue' "$Key|$Name"
}

try {
    # 1. The program, this uninstaller, the trusted keys.
    Ensure-Dir $prefix
    Get-ChildItem -LiteralPath $companionSrc -Recurse | ForEach-Object {
        $dest = Join-Path (Join-Path $prefix 'companion') $_.FullName.Substring($companionSrc.Length + 1)
        if ($_.PSIsContainer) { Ensure-Dir $dest } else { Put $_.FullName $dest }
    }
    Put (Join-Path $here 'uninstall.ps1') (Join-Path $prefix 'uninstall.ps1')
    Put (Join-Path $here 'ADMIN.md') (Join-Path $prefix 'ADMIN.md')
    Put (Join-Path $here 'rules\trusted_keys.json') $trustedKeys

    # 2. The data dir: the token, readable by this user only, and the rules.
    Ensure-Dir $dataDir
    if ($oldToken -ne $token -or -not (Test-Path $tokenPath)) {
        [IO.File]::WriteAllText($tokenPath, "$token`n")
        Record 'file' $tokenPath
    }
    $acl = New-Object System.Security.AccessControl.FileSecurity
    $acl.SetAccessRuleProtection($true, $false)
    $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($user, 'FullControl', 'Allow')))
    Set-Acl -LiteralPath $tokenPath -AclObject $acl
    Get-ChildItem (Join-Path $here 'rules\*.bundle.json') | ForEach-Object {
        Put $_.FullName (Join-Path $dataDir "rules\$($_.Name)")
        Put "$($_.FullName).sig" (Join-Path $dataDir "rules\$($_.Name).sig")
    }
    Record 'data' $dataDir

    # 3. Chrome and Edge policy: force-install, and the same token in the extension's managed storage.
    foreach ($vendor in 'Google\Chrome', 'Microsoft\Edge') {
        $base = Join-Path $policyRoot $vendor
        $list = Join-Path $base 'ExtensionInstallForcelist'
        Ensure-Key $list
        $names = @((Get-Item $list).Property | Where-Object { $_ -match '^\d+$' })
        $slot = $names | Where-Object { (Get-ItemPropertyValue $list $_) -like "$extId;*" } | Select-Object -First 1
        if (-not $slot) { $slot = [string]($names.Count + 1) }
        New-ItemProperty -Path $list -Name $slot -Value $forcelist -PropertyType String -Force | Out-Null
        Record 'forcelist' "$list|$extId"
        $key = Join-Path $base "3rdparty\extensions\$extId\policy"
        Set-Policy $key 'companionUrl' $url
        Set-Policy $key 'companionToken' $token
        Set-Policy $key 'failMode' $storage.failMode
        $index = 0
        foreach ($platform in $storage.enabledPlatforms) {
            $index++
            Set-Policy (Join-Path $key 'enabledPlatforms') ([string]$index) $platform
        }
    }

    # 4. The logon task (windowed companion: no console window), then start it now.
    $arguments = "serve --port $port --data-dir `"$dataDir`" --trusted-keys `"$trustedKeys`" --allowed-origin chrome-extension://$extId"
    if ($env:NETRAL_RULES_URL) { $arguments += " --rules-url `"$env:NETRAL_RULES_URL`"" }
    $escape = { param($text) [Security.SecurityElement]::Escape($text) }
    $xml = (Get-Content -Raw (Join-Path $here 'autostart\windows\netral-companion.xml')).
        Replace('@USER@', (& $escape $user)).Replace('@EXE@', (& $escape $exe)).Replace('@ARGS@', (& $escape $arguments))
    Register-ScheduledTask -TaskPath '\Netral\' -TaskName 'Companion' -Xml $xml -Force | Out-Null
    Record 'task' '\Netral\|Companion'
    Record 'exe' $exe
    Record 'logs' (Join-Path $dataDir 'Logs')
    Start-ScheduledTask -TaskPath '\Netral\' -TaskName 'Companion'

    $records.Add("file $manifest")
    Set-Content -LiteralPath $manifest -Value $records -Encoding UTF8
}
catch {
    [Console]::Error.WriteLine("install.ps1: installation failed ($($_.Exception.Message)); undoing what was done so far.")
    $partial = [IO.Path]::GetTempFileName()
    Set-Content -LiteralPath $partial -Value $records -Encoding UTF8
    & (Join-Path $here 'uninstall.ps1') -Manifest $partial -Quiet
    Remove-Item -LiteralPath $partial -Force
    exit 1
}

$answered = $false
foreach ($attempt in 1..15) {
    try { Invoke-RestMethod "$url/v1/health" -TimeoutSec 2 | Out-Null; $answered = $true; break }
    catch { Start-Sleep -Seconds 1 }
}
Write-Output "Netral companion installed for $user."
Write-Output "  program:    $prefix"
Write-Output "  data:       $dataDir (token readable by $user only, rules\)"
Write-Output "  extension:  $extId, force-installed in Chrome and Edge by policy"
Write-Output "  autostart:  Task Scheduler \Netral\Companion at logon"
Write-Output "Check it:     curl.exe $url/v1/health   (answers {`"status`":`"ok`"})"
Write-Output "Uninstall:    powershell -ExecutionPolicy Bypass -File `"$prefix\uninstall.ps1`""
if (-not $answered) { Write-Output "Note: the companion did not answer within 15 s; see $dataDir\Logs\companion.log." }
