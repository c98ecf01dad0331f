; Contract Batch Manager for Windows: a per-user installer (no administrator rights needed).
;
;   makensis /DVERSION=0.1.0 /DPAYLOAD=build\windows\dist\contract-batch-manager ^
;            /DICON=build\windows\contract-batch-manager.ico /DOUTFILE=dist\contract-batch-manager-0.1.0-windows-x64.exe ^
;            packaging\windows\installer.nsi
;
; PAYLOAD is PyInstaller's one-folder bundle (packaging/contract-batch-manager.spec). The installer puts it
; in %LOCALAPPDATA%\Programs\Contract Batch Manager, adds a Start menu entry for the app, a
; contract-batch.cmd beside it for the command line, and an entry in "Apps & features" to remove it.
Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !error "give /DVERSION=..."
!endif
!ifndef PAYLOAD
  !error "give /DPAYLOAD=<the PyInstaller one-folder bundle>"
!endif
!ifndef OUTFILE
  !define OUTFILE "contract-batch-manager-${VERSION}-windows-x64.exe"
!endif

!define APPNAME "Contract Batch Manager"
!define EXE "contract-batch-manager.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ContractBatchManager"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
RequestExecutionLevel user
SetCompressor /SOLID lzma
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${PAYLOAD}\LICENSE"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Install"
  ; An upgrade replaces the whole bundle: files of the previous version must not linger beside it.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*"
  FileOpen $0 "$INSTDIR\contract-batch.cmd" w
  FileWrite $0 '@"%~dp0${EXE}" --cli %*$\r$\n'
  FileClose $0
  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Contract Batch Manager developers"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; Local mode's server and workers of this user keep running from these files: stop them first.
  ExecWait '"$INSTDIR\${EXE}" --cli local stop'
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\contract-batch.cmd"
  Delete "$INSTDIR\LICENSE"
  Delete "$INSTDIR\THIRD-PARTY-NOTICES.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
