"""The export hotline (/hotline): routing rules (`routing.py`, from
`portail/data/hotline.toml`), SIREN checks (`siren.py`), French working days (`workdays.py`),
the settings of mail and retention (`settings.py`), the mails (`messages.py`) and the life of
a request (`service.py`). The web form and console are in `webui/`; the sending of mail, the
reminders and the purge are the scheduler's (`scheduler/hotline.py`)."""
