<#
.SYNOPSIS
Removes the Netral companion from Windows: stops it, then deletes exactly the files, registry values
and logon task that install.ps1 recorded. The acknowledgement log stays unless -Purge is given.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File "C:\Program Files\Netral\uninstall.ps1" -Purge
#>
[CmdletBinding()]
param(
    [switch]$Purge,
    [string]$Manifest,
    [switch]$Quiet
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if (-not $Manifest) {
    $candidates = @((Join-Path $PSScriptRoot 'install-manifest.txt'))
    if ($env:NETRAL_PREFIX) { $candidates = @((Join-Path $env:NETRAL_PREFIX 'install-manifest.txt')) + $candidates }
    $candidates += (Join-Path $env:ProgramFiles 'Netral\install-manifest.txt')
    $Manifest = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $Manifest -or -not (Test-Path $Manifest)) {
    [Console]::Error.WriteLine('uninstall.ps1: no install manifest found; set NETRAL_PREFIX to the folder Netral was installed into.')
    exit 1
}
# Read it all first: the manifest itself is one of the files to remove.
$lines = @(Get-Content -LiteralPath $Manifest)
function Entries([string]$Kind) {
    $lines | Where-Object { $_.StartsWith("$Kind ") } | ForEach-Object { $_.Substring($Kind.Length + 1) }
}
$ErrorActionPreference = 'Continue'

# 1. Stop the companion: its task first, so nothing restarts it.
foreach ($task in Entries 'task') {
    $path, $name = $task.Split('|')
    Stop-ScheduledTask -TaskPath $path -TaskName $name -ErrorAction SilentlyContinue
    Unregister-ScheduledTask -TaskPath $path -TaskName $name -Confirm:$false -ErrorAction SilentlyContinue
}
foreach ($exe in Entries 'exe') {
    Get-Process -ErrorAction SilentlyContinue | Where-Object { $_.Path -eq $exe } | Stop-Process -Force
}

# 2. Policy: our force-install entry (the list is renumbered: Chrome stops at the first gap), values, keys.
foreach ($entry in Entries 'forcelist') {
    $key, $extId = $entry.Split('|')
    if (-not (Test-Path $key)) { continue }
    $names = @((Get-Item $key).Property | Where-Object { $_ -match '^\d+$' } | Sort-Object { [int]$_ })
    $keep = @($names | ForEach-Object { Get-ItemPropertyValue $key $_ } | Where-Object { $_ -notlike "$extId;*" })
    $names | ForEach-Object { Remove-ItemProperty -Path $key -Name $_ }
    for ($i = 0; $i -lt $keep.Count; $i++) {
        New-ItemProperty -Path $key -Name ([string]($i + 1)) -Value $keep[$i] -PropertyType String | Out-Null
    }
}
foreach ($entry in Entries 'regvalue') {
    $key, $name = $entry.Split('|')
    Remove-ItemProperty -Path $key -Name $name -ErrorAction SilentlyContinue
}
foreach ($key in @(Entries 'regkey' | Sort-Object -Descending)) {
    $item = Get-Item $key -ErrorAction SilentlyContinue
    if ($item -and $item.SubKeyCount -eq 0 -and $item.ValueCount -eq 0) { Remove-Item $key }
}

# 3. Files, then the folders install.ps1 created, deepest first, if empty.
if ($Purge) {
    foreach ($dir in @(Entries 'logs') + @(Entries 'data')) {
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
    }
}
foreach ($file in Entries 'file') { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
foreach ($dir in @(Entries 'dir' | Sort-Object -Descending)) {
    if ((Test-Path -LiteralPath $dir) -and -not (Get-ChildItem -LiteralPath $dir -Force)) {
        Remove-Item -LiteralPath $dir
    }
}

if (-not $Quiet) {
    Write-Output 'Netral companion removed.'
    foreach ($dir in Entries 'data') {
        if (-not $Purge -and (Test-Path -LiteralPath $dir)) {
            Write-Output "Kept the acknowledgement log in $dir (remove it with uninstall.ps1 -Purge)."
        }
    }
}
