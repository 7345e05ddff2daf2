"""Country mentions -> canonical country names (used as tags).

Spec format: "Canonical Name: alias, alias, ...". Aliases are tokenised like text ("U.S." is "u s");
"=Word" is matched case-sensitively (single word): "=Turkey" is the country, "turkey" the bird.
The canonical name itself is always an alias (case-insensitive unless it is listed with "=").
Demonyms are included for the countries that business news names most ("Chinese exports").
Names that are easily something else (Georgia the US state, Jordan the first name) are left out, and
the "-" line lists phrases that contain a country word but name no country: being longer, they win.
"""

from __future__ import annotations

from typing import Final

COUNTRY_SPECS: Final = """
United States: united states, u s, u s a, =US, =USA, america, american, americans, united states of america
United Kingdom: united kingdom, u k, =UK, britain, great britain, british, england, scotland, wales
China: =China, chinese, prc, beijing
Japan: japan, japanese, tokyo
Germany: germany, german, berlin
France: france, french, paris
Italy: italy, italian
Spain: spain, spanish
Canada: canada, canadian, canadians, ottawa
Mexico: mexico, mexican
Brazil: brazil, brazilian
Argentina: argentina, argentine, argentinian
Chile: chile, chilean
Colombia: colombia, colombian
Peru: peru, peruvian
Venezuela: venezuela, venezuelan
India: india, indian, new delhi
Pakistan: pakistan, pakistani
Bangladesh: bangladesh
Indonesia: indonesia, indonesian
Malaysia: malaysia, malaysian
Singapore: singapore
Thailand: thailand, thai
Vietnam: vietnam, viet nam, vietnamese
Philippines: philippines, philippine, filipino
South Korea: south korea, south korean, korea, seoul
North Korea: north korea, north korean, pyongyang
Taiwan: taiwan, taiwanese, taipei
Australia: australia, australian
New Zealand: new zealand
Russia: russia, russian, russians, moscow, russian federation
Ukraine: ukraine, ukrainian, ukrainians, kyiv, kiev
Poland: poland, =Polish
Netherlands: netherlands, dutch, holland
Belgium: belgium, belgian
Switzerland: switzerland, swiss
Austria: austria, austrian
Sweden: sweden, swedish
Norway: norway, norwegian
Denmark: denmark, danish
Finland: finland, finnish
Ireland: ireland, irish
Portugal: portugal, portuguese
Greece: greece, greek
Turkey: =Turkey, =Türkiye, turkiye, türkiye, turkish, ankara
Israel: israel, israeli, israelis
Iran: iran, iranian, tehran
Iraq: iraq, iraqi
Syria: syria, syrian
Lebanon: lebanon, lebanese
Saudi Arabia: saudi arabia, saudi, riyadh
United Arab Emirates: united arab emirates, uae, u a e, emirati, dubai, abu dhabi
Qatar: qatar, qatari
Egypt: egypt, egyptian
Afghanistan: afghanistan, afghan, kabul
Nigeria: nigeria, nigerian
South Africa: south africa, south african
Kenya: kenya, kenyan
Ethiopia: ethiopia, ethiopian
Morocco: morocco, moroccan
Algeria: algeria, algerian
Czech Republic: czech republic, czechia, czech
Hungary: hungary, hungarian
Romania: romania, romanian
Serbia: serbia, serbian
Kazakhstan: kazakhstan
Cuba: cuba, cuban
Hong Kong: hong kong
-: latin america, latin american, south america, south american, north america, north american,
   central america, central american, native american, native americans, african american,
   african americans, asian american, new england, new mexico, new south wales, british columbia,
   indian ocean, french fries, american football, english language
"""
