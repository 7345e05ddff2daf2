"""Hand-written, realistic business-news items (fictional events), at least two per category.

Each entry: (expected primary category, title, summary, body). Written for these tests only.
"""

from __future__ import annotations

LABELLED_ITEMS: list[tuple[str, str, str, str]] = [
    (
        "aerospace-defense",
        "Lockheed Martin wins $7.8 billion Pentagon contract for F-35 sustainment",
        "The award covers spare parts, logistics and pilot training for the fighter jet fleet through 2029.",
        "Lockheed Martin said on Tuesday it had won a $7.8 billion contract from the Pentagon to support the "
        "F-35 fleet operated by the U.S. Air Force, Navy and Marine Corps. The deal covers spare parts, "
        "depot maintenance and training for allied air forces. Defense analysts said the award underlines "
        "how the stealth fighter remains the backbone of NATO air power even as budgets tighten. Shares of "
        "the defense contractor rose 2% in morning trading.",
    ),
    (
        "aerospace-defense",
        "Rheinmetall to build new ammunition plant as European defence spending climbs",
        "The German arms maker expects artillery demand to stay high for a decade.",
        "Rheinmetall will invest 900 million euros in a new plant producing 155mm artillery shells, the "
        "company said, as European governments rebuild stockpiles depleted by military aid to Ukraine. The "
        "defence ministry in Berlin has signed a framework agreement for munitions worth up to 8 billion "
        "euros. Chief executive Armin Papperger said air defence systems and armoured vehicles were also "
        "seeing record orders, and that rearmament across NATO members would keep the defence industry busy.",
    ),
    (
        "aerospace-defense",
        "SpaceX launches 24 satellites as Starship test slips to spring",
        "",
        "A Falcon 9 rocket lifted off from Cape Canaveral carrying two dozen satellites into low Earth orbit, "
        "the company's 120th launch this year. NASA officials said the next Starship test flight, needed for "
        "the agency's lunar lander, has moved to the spring while the spacecraft's heat shield is redesigned.",
    ),
    (
        "agriculture",
        "Drought cuts U.S. wheat harvest forecast as farmers brace for lower yields",
        "The USDA trimmed its winter wheat estimate by 6% after a dry autumn across the Plains.",
        "Farmers in Kansas and Oklahoma are facing one of the poorest winter wheat crops in a decade after "
        "months without meaningful rainfall, the U.S. Department of Agriculture said in its monthly crop "
        "report. The agency cut its harvest forecast by 6% and warned that soil moisture remains far below "
        "normal. Grain prices rose on the Chicago exchange, while ranchers said dry pastures were forcing "
        "them to sell cattle early. Agricultural economists expect farm incomes to fall for a second year.",
    ),
    (
        "agriculture",
        "Fertilizer costs squeeze growers ahead of planting season",
        "Nitrogen prices are up 30% from a year ago, according to a survey of corn and soybean farmers.",
        "Growers across the Corn Belt say higher fertilizer bills are forcing hard choices before spring "
        "planting. A survey by a farm lobby group found that nearly half of corn farmers plan to apply less "
        "nitrogen, which could cut crop yields. Nutrien and CF Industries have blamed tight supplies of "
        "natural gas, a key input. Some farmers are switching acres from corn to soybeans, which need less "
        "fertilizer, and agronomists expect soybean plantings to rise.",
    ),
    (
        "automation-process-control",
        "Rockwell Automation bets on software as factory automation orders recover",
        "The maker of programmable logic controllers says customers are investing in smart manufacturing.",
        "Rockwell Automation reported a rise in orders for its PLCs, motion control and industrial software "
        "as manufacturers resumed spending on factory automation. Chief executive Blake Moret said demand "
        "was strongest for process automation in life sciences and for digital twin tools that simulate "
        "production lines before they are built. The company also expanded its partnership on autonomous "
        "mobile robots for warehouse automation.",
    ),
    (
        "automation-process-control",
        "Fanuc and Yaskawa see robot demand rebound in electronics and auto plants",
        "Industrial robot installations rose 9% last year, according to an industry federation.",
        "Japanese robot makers Fanuc and Yaskawa said orders for industrial robots and collaborative robots "
        "picked up in the third quarter, led by electronics assembly lines and battery plants. The "
        "International Federation of Robotics counted a record number of robots installed in factories "
        "worldwide. Executives said labour shortages are pushing manufacturers toward robotic arms, machine "
        "vision and predictive maintenance systems connected through the industrial internet of things.",
    ),
    (
        "automotive-transportation",
        "Toyota raises outlook as hybrid sales offset slowing electric vehicle demand",
        "The world's largest automaker sold a record number of hybrids in North America.",
        "Toyota lifted its full-year profit forecast after strong sales of hybrid cars and SUVs, as "
        "consumers in the United States and Europe hesitate over fully electric vehicles. The automaker "
        "said it would keep investing in battery electric models and a new plant in North Carolina, but "
        "rivals including Ford and General Motors have scaled back EV plans. Dealers report shorter "
        "inventories of the popular RAV4 hybrid.",
    ),
    (
        "automotive-transportation",
        "Freight rail volumes slide as trucking rates hit three-year low",
        "Union Pacific and CSX reported fewer carloads of consumer goods and auto parts.",
        "Freight railroads moved fewer containers in October as importers cut orders, data from the "
        "Association of American Railroads showed. Union Pacific and CSX both reported declines in "
        "intermodal traffic, while spot rates for trucking fell to their lowest level in three years. "
        "Logistics executives said excess truck capacity and weak demand for shipping would weigh on "
        "the transportation sector into next year.",
    ),
    (
        "banking-finance",
        "JPMorgan profit beats estimates as investment banking fees rebound",
        "Dealmaking and bond trading lifted the largest U.S. lender's third-quarter results.",
        "JPMorgan Chase reported quarterly profit above analysts' estimates as fees from investment banking "
        "rose 30% and trading revenue held up. Net interest income from loans and deposits was slightly "
        "lower. Chief executive Jamie Dimon warned that credit card delinquencies were rising and said the "
        "bank had added to reserves. Shares of Goldman Sachs and Morgan Stanley, which report next week, "
        "also rose on Wall Street.",
    ),
    (
        "banking-finance",
        "Bitcoin ETFs draw record inflows as hedge funds pile in",
        "Asset managers say institutional investors are warming to cryptocurrency funds.",
        "Exchange-traded funds holding bitcoin attracted record inflows last week, data from asset manager "
        "CoinShares showed, as hedge funds and wealth management firms added exposure. BlackRock's fund "
        "now holds more than $50 billion. Regulators at the Securities and Exchange Commission are "
        "reviewing applications for funds tied to other cryptocurrencies, and Coinbase shares climbed.",
    ),
    (
        "chemicals-materials",
        "BASF to close ammonia unit in Ludwigshafen as European chemical makers struggle",
        "The chemical giant blamed high energy costs and weak demand for plastics and coatings.",
        "BASF will shut an ammonia plant and related fertilizer units at its Ludwigshafen site, the company "
        "said, cutting 700 jobs. Europe's chemical industry has been hit by expensive natural gas and slow "
        "demand from the construction and automotive sectors for polymers, coatings and adhesives. Rivals "
        "Covestro and Evonik have announced similar cuts, and the industry association warned that "
        "petrochemical capacity is moving to the Middle East and China.",
    ),
    (
        "chemicals-materials",
        "Steelmakers seek tariffs on cheap imports as prices slump",
        "Nucor and Cleveland-Cliffs say a flood of steel from Asia is depressing margins.",
        "U.S. steelmakers including Nucor and Cleveland-Cliffs filed trade complaints asking for duties on "
        "coated steel and aluminium products from several Asian countries. Hot-rolled steel prices have "
        "fallen 20% this year. The companies argue that subsidised materials are undercutting domestic "
        "mills, while manufacturers that buy steel warn that tariffs would raise their costs.",
    ),
    (
        "consumer-goods-services",
        "Walmart raises forecast as shoppers trade down to cheaper groceries and essentials",
        "The retailer said higher-income households are spending more in its stores and online.",
        "Walmart lifted its annual sales outlook after a strong quarter in which e-commerce sales grew 22% "
        "and more affluent shoppers visited its stores. The retailer said customers are still buying "
        "household products, toys and apparel, but remain cautious on big-ticket items such as furniture "
        "and appliances. Target and Costco report results next week, and analysts expect a solid holiday "
        "shopping season helped by Black Friday discounts.",
    ),
    (
        "consumer-goods-services",
        "LVMH sales slip as luxury shoppers in China rein in spending",
        "The owner of Louis Vuitton and Dior reported a decline in fashion and leather goods.",
        "LVMH said sales at its fashion and leather goods division fell 4% in the third quarter, as wealthy "
        "consumers in China cut back on handbags and jewelry. The luxury group's cosmetics and perfume "
        "brands held up better. Rivals Kering and Burberry have warned of weak demand for luxury goods, "
        "while Hermès continues to grow thanks to its most exclusive products.",
    ),
    (
        "economy",
        "U.S. inflation cools to 2.6% as Fed weighs next rate cut",
        "Consumer prices rose less than economists expected in October.",
        "The consumer price index rose 2.6% from a year earlier, the Bureau of Labor Statistics said, down "
        "from 2.9% the month before. Core inflation, which excludes food and energy, also eased. Economists "
        "said the figures give the Federal Reserve room to lower interest rates again in December, although "
        "the labor market remains resilient and wage growth is still above pre-pandemic levels.",
    ),
    (
        "economy",
        "Eurozone economy stalls as German factory output slumps",
        "GDP was flat in the third quarter, raising fears of a recession in the bloc.",
        "The eurozone economy failed to grow in the third quarter, official data showed, as a slump in "
        "German industrial production offset modest growth in Spain. The European Central Bank has cut "
        "rates twice this year, and economists expect further easing as unemployment creeps up and "
        "business confidence weakens. Exports to China fell sharply, and purchasing managers' surveys "
        "point to another contraction in manufacturing.",
    ),
    (
        "electronics-semiconductor",
        "TSMC profit jumps 40% on AI chip demand from Nvidia and Apple",
        "The world's largest contract chipmaker raised its capital spending plan for advanced nodes.",
        "Taiwan Semiconductor Manufacturing Co. reported a 40% jump in quarterly profit as demand for "
        "chips used in artificial intelligence servers kept its 3nm and 5nm production lines full. The "
        "foundry said advanced packaging capacity for Nvidia's GPUs would double next year, and that it "
        "is on track to start 2nm production. Wafer shipments to smartphone makers also recovered.",
    ),
    (
        "electronics-semiconductor",
        "Nexperia crisis leaves automakers scrambling for basic chips",
        "Carmakers warn of production stoppages as supplies of simple semiconductors dry up.",
        "A dispute over control of Dutch chipmaker Nexperia has disrupted shipments of the transistors and "
        "diodes used throughout vehicle electronics, industry groups said. The semiconductor supplier makes "
        "billions of low-cost components a year in Europe and China. Suppliers are hunting for alternative "
        "chips from Infineon, NXP and STMicroelectronics, but qualifying a new part can take months.",
    ),
    (
        "energy-resources",
        "Oil prices climb as OPEC+ extends production cuts into next year",
        "Brent crude rose above $85 a barrel after the group said it would keep output curbs in place.",
        "Oil prices rose on Monday after Saudi Arabia and other members of OPEC+ agreed to extend "
        "production cuts of 2 million barrels per day until the end of next year. Brent crude gained 2% "
        "and West Texas Intermediate rose to $81. Analysts said the decision would tighten supplies "
        "heading into winter, when demand for heating fuels and natural gas peaks. U.S. shale producers "
        "have held drilling activity steady.",
    ),
    (
        "energy-resources",
        "Offshore wind developer Orsted cancels U.S. projects as costs soar",
        "The Danish company booked a $4 billion impairment on two wind farms off New Jersey.",
        "Orsted said it would stop developing two offshore wind farms in the United States after higher "
        "interest rates, supply-chain delays and rising turbine prices made them unprofitable. The "
        "setback is a blow to the renewable energy goals of several states, which had counted on the "
        "projects to supply electricity to a million homes. Utilities and clean energy groups urged "
        "regulators to raise power prices in future auctions.",
    ),
    (
        "food-beverage",
        "McDonald's sales fall after E. coli outbreak linked to Quarter Pounder",
        "The fast-food chain said customer traffic dropped in the U.S. in the weeks after the outbreak.",
        "McDonald's said same-store sales in the United States fell after an E. coli outbreak tied to "
        "onions served on its Quarter Pounder burgers. The company has removed the supplier and said food "
        "safety is its first priority. Rival restaurant chains including Burger King and Wendy's have "
        "launched value menus as diners pull back on eating out, and franchisees are pressing for "
        "cheaper menu prices.",
    ),
    (
        "food-beverage",
        "Heineken cuts beer volume forecast as drinkers switch to low-alcohol options",
        "The Dutch brewer said demand weakened in Europe and Asia.",
        "Heineken lowered its forecast for beer volumes, citing weak consumer demand in Europe and Vietnam, "
        "as more drinkers choose alcohol-free beer and soft drinks. The brewer said its zero-alcohol brand "
        "grew by double digits. Rivals Carlsberg and AB InBev have also reported softer sales of lager, "
        "while spirits makers such as Diageo face a slowdown in whisky demand.",
    ),
    (
        "hospitality-tourism",
        "Marriott and Hilton report record summer as international travelers return",
        "Hotel occupancy in major cities is now above pre-pandemic levels.",
        "Marriott and Hilton both reported record revenue per available room for the summer, as "
        "international tourists returned to Europe and leisure travel in the United States stayed strong. "
        "Hotel occupancy in Paris, London and New York exceeded 2019 levels. Executives said bookings for "
        "the winter holidays and business travel look healthy, although resort demand in Florida has "
        "softened after a busy vacation season.",
    ),
    (
        "hospitality-tourism",
        "Venice expands day-tripper fee as overtourism strains the city",
        "Visitors will pay up to 10 euros on peak days from April.",
        "Venice will extend its entry fee for day-trippers to more dates next year, officials said, after "
        "a trial that counted nearly half a million paying visitors. The city has struggled with "
        "overtourism, as cruise ships and tour groups crowd its historic centre. Hoteliers welcomed the "
        "measure, saying it encourages tourists to stay overnight, while some restaurant owners fear fewer "
        "sightseeing visitors.",
    ),
    (
        "information-technology",
        "Microsoft's cloud growth accelerates on demand for AI services",
        "Azure revenue rose 33% as businesses rush to deploy generative AI tools.",
        "Microsoft said revenue from its Azure cloud computing platform grew 33% in the quarter, with "
        "artificial intelligence services contributing a growing share. The software company is spending "
        "heavily on data centers to keep up with demand from OpenAI and enterprise customers using its "
        "Copilot assistant. Rivals Google and Amazon Web Services also reported strong cloud results.",
    ),
    (
        "information-technology",
        "Ransomware attack knocks out hospital systems across three states",
        "Hackers encrypted patient records and demanded payment in cryptocurrency.",
        "A ransomware attack disrupted computer systems at a hospital chain operating in three states, "
        "forcing staff to use paper records. Cybersecurity investigators said the hackers exploited a "
        "vulnerability in remote-access software that had not been patched. The FBI is investigating, "
        "and experts warn that cyberattacks on health providers have doubled as criminal groups target "
        "networks holding sensitive data.",
    ),
    (
        "political",
        "Senate passes stopgap bill to avert government shutdown",
        "The measure funds federal agencies through January after a bipartisan deal.",
        "The Senate voted 78-18 to approve a short-term spending bill that keeps the government open until "
        "January, sending it to the White House for the president's signature. Republican and Democratic "
        "leaders negotiated the deal after weeks of partisan standoff. Lawmakers still have to agree on "
        "full-year appropriations, and some conservatives in the House of Representatives opposed the "
        "measure.",
    ),
    (
        "political",
        "Russia recognizes the Taliban: which other countries can follow?",
        "Moscow became the first government to formally recognize the Taliban administration in Kabul.",
        "Russia has become the first country to formally recognize Afghanistan's Taliban government since "
        "the group returned to power in 2021. The Russian foreign ministry said recognition would open the "
        "way for bilateral cooperation, and the Afghan foreign minister welcomed the Kremlin's decision. "
        "Diplomats say China, Pakistan and several Central Asian states could follow, while Western "
        "governments insist on human rights conditions before any diplomatic relations.",
    ),
    (
        "political",
        "Danish government aims to ban children under 15 from social media",
        "The prime minister said parliament would vote on the proposal next year.",
        "Denmark's prime minister announced plans to ban children under 15 from using social media, saying "
        "the platforms harm young people's wellbeing. The government will present a bill to parliament, "
        "and opposition parties have signalled support. The proposal follows similar moves in Australia, "
        "and the European Commission is studying age limits across the European Union.",
    ),
]

KNITTING_ITEM = (
    "Knitting circles are back, and younger crafters are leading the revival",
    "Weekly meet-ups in yarn shops and libraries are drawing people in their twenties.",
    "On Tuesday evenings the back room of a small yarn shop fills with people of all ages. Some bring "
    "half-finished scarves, others arrive with nothing but curiosity. The group swaps patterns, untangles "
    "mistakes and trades tips on tension and stitches. Members say the rhythm of the needles helps them "
    "unwind after long days, and that the conversation matters as much as the sweaters they make. "
    "Organisers say attendance has doubled since last winter, and a neighbouring library has started a "
    "beginners' class.",
)
