"""The contact a contact page publishes (indexer/contacts.py), read from the crawler's fields:
schema.org microdata and JSON-LD, `<address>` blocks, labelled text; phones French or foreign."""

from __future__ import annotations

import pytest

from crawlers.extract import extract_html
from indexer.contacts import contact_fields, phone_in, text_address

MICRODATA = """<html><body><main><h1>CCI France Corée</h1><p>La chambre accueille les PME.</p>
<div itemscope itemtype="https://schema.org/Organization"><h2 itemprop="name">CCI France Corée</h2>
<p itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
<span itemprop="streetAddress">30 Sejong-daero</span><br>
<span itemprop="addressLocality">04519 Séoul</span><br>
<span itemprop="addressCountry">Corée du Sud</span></p>
<p>Tél. : <a href="tel:+82223780000"><span itemprop="telephone">+82 2 2378 0000</span></a><br>
Courriel : <a itemprop="email" href="mailto:fkcci@exemple.invalid">fkcci@exemple.invalid</a></p>
</div></main></body></html>"""

ADDRESS = """<html><body><main><h1>Business France Mexique</h1><p>Le bureau de Mexico.</p>
<address><strong>Business France Mexique</strong><br>Campos Elíseos 345<br>11560 Mexico<br>
Mexique<br>Tél. : <a href="tel:+525591710000">+52 55 9171 0000</a><br>
Courriel : <a href="mailto:mexique@exemple.invalid">mexique@exemple.invalid</a></address>
</main></body></html>"""

TEXT = """<html><body><main><h1>Service économique de Pretoria</h1>
<p>Le service se trouve au 250 Melk Street, 0181 Pretoria. Téléphone : +27 12 425 1600.
Courriel : pretoria@exemple.invalid.</p></main></body></html>"""


@pytest.mark.parametrize(
    "html, expected",
    [
        (
            MICRODATA,
            {
                "name": "CCI France Corée",
                "address": "30 Sejong-daero, 04519 Séoul, Corée du Sud",
                "phone": "+82 2 2378 0000",
                "email": "fkcci@exemple.invalid",
            },
        ),
        (
            ADDRESS,
            {
                "name": "Business France Mexique",
                "address": "Campos Elíseos 345, 11560 Mexico, Mexique",
                "phone": "+52 55 9171 0000",
                "email": "mexique@exemple.invalid",
            },
        ),
        (
            TEXT,
            {
                "name": "",
                "address": "250 Melk Street, 0181 Pretoria",
                "phone": "+27 12 425 1600",
                "email": "pretoria@exemple.invalid",
            },
        ),
    ],
    ids=["microdata", "address", "text"],
)
def test_a_contact_is_read_from_each_markup(html, expected):
    page = extract_html("https://exemple.invalid/contact", html)
    assert contact_fields(page.structured, page.text) == expected


@pytest.mark.parametrize(
    "text, phone",
    [
        ("Tél. : +1 212-555-0147", "+1 212-555-0147"),
        ("appelez le +212 5 22 00 47 18 ou écrivez", "+212 5 22 00 47 18"),
        ("Standard : 01 53 40 12 80", "01 53 40 12 80"),
        ("+33 1 44 87 17 17", "+33 1 44 87 17 17"),
        ("en 2027, +25 % de ventes", ""),  # a percentage is no phone number
    ],
)
def test_phone_numbers_french_and_foreign(text, phone):
    assert phone_in(text) == phone


def test_an_address_needs_its_label_and_a_number():
    assert text_address("Le bureau se trouve au cœur de la ville.") == ""
    assert text_address("Adresse : 12 rue de la Paix, 75002 Paris. Tél. : 01") == (
        "12 rue de la Paix, 75002 Paris"
    )
