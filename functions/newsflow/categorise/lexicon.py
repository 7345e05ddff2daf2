"""The curated lexicon of the default taxonomy: weighted terms per category. (The aliases for feed tags
and URL sections live in the taxonomy file, newsflow/data/taxonomy.toml.)

Format of a category's spec (a taxonomy file may give a category its own, as `lexicon`, in the same
syntax): one line per weight, "<weight>: term, term, ...". A term is a word or a phrase; it is
tokenised exactly like article text (lower-cased, letters/digits runs; "&" inside a word is kept, so
"S&P" and "AT&T" are one token; "McDonald's" is "mcdonald s"). A term written "=Word" is matched
case-sensitively (a single word only): "=Apple" is the company, "apple" the fruit.
Plurals of the last word ("missile" -> "missiles", "battery" -> "batteries") are added when compiled.

Weights: 3 unambiguous and specific (companies, institutions, jargon), 2 strong, 1 typical, 0.5 weak.
A term may sit in several categories with different weights ("interest rate": economy 1.5, banking 1).
"""

from __future__ import annotations

from typing import Final

LEXICON_SPECS: Final[dict[str, str]] = {
    "aerospace-defense": """
        3: aerospace, lockheed martin, lockheed, northrop grumman, northrop, raytheon, rtx corp, general dynamics,
           bae systems, l3harris, rheinmetall, thales group, dassault aviation, embraer, spirit aerosystems,
           pratt whitney, pratt and whitney, rolls-royce engines, safran, hensoldt, kongsberg, anduril,
           leonardo drs, huntington ingalls, fighter jet, stealth fighter, f-35, f-16, f-22, b-21, eurofighter,
           rafale jets, gripen, ballistic missile, cruise missile, hypersonic missile, missile defense,
           missile defence, air defense, air defence, patriot missile, iron dome, himars, icbm,
           defense contractor, defence contractor, defense budget, defence budget, defense spending,
           defence spending, defense industry, defence industry, defense contract, defence contract,
           defense stocks, defence stocks, arms deal, arms sales, arms exports, arms maker, aircraft carrier,
           warship, department of defense, ministry of defence, defense ministry, defence ministry,
           defense secretary, defence secretary, secretary of defense, spacex, blue origin,
           united launch alliance, rocket lab, european space agency, avionics, airframe, jet engine,
           737 max, 787 dreamliner, dreamliner, a320, a321, a350, 777x, narrow-body, wide-body, air show,
           paris air show, farnborough, airshow, uav, unmanned aerial, counter-drone, space force, falcon 9,
           launch vehicle, warhead, nuclear warhead, munitions, rearmament, military aircraft, drone strike,
           military drone, airworthiness, jetliner, planemaker, space agency, satellite launch
        2: boeing, airbus, pentagon, nato, missile, nasa, fighter, artillery, ammunition, submarine,
           frigate, warplane, hypersonic, military, air force, navy, army, defense, defence, weapons,
           weapon system, rocket launch, spacecraft, space station, low earth orbit, helicopter, radar,
           drones, military aid, satellite, satellites, starship, orbit, space launch, defense firm,
           aircraft, tank, tanks, armed forces, troops, soldiers, arms, honeywell aerospace, ge aerospace,
           rolls-royce, commercial aircraft, aircraft maker, aircraft orders
        1: rocket, drone, jet, jets, starlink, combat, war, payload, faa, surveillance, deterrence,
           ukraine war, warfare, aviation, hangar, engine maker
        0.5: space, contractor, contractors
    """,
    "agriculture": """
        3: agriculture, agricultural, agribusiness, farmers, farmer, farming, farmland, soybean, soybeans,
           sorghum, barley, canola, rapeseed, livestock, usda, department of agriculture, agriculture secretary,
           agriculture minister, farm bill, ranchers, crop yields, crop prices, grain prices, grain exports,
           grain harvest, wheat prices, corn prices, john deere, deere, cnh industrial, agco, corteva, nutrien,
           syngenta, bunge, archer daniels midland, fertilizer, fertiliser, fertilizers, pesticide, herbicide,
           agtech, agritech, precision agriculture, vertical farming, crop insurance, farm income, farmgate,
           bird flu, avian flu, swine fever, african swine fever, foot and mouth, aquaculture, agronomist,
           harvest season, planting season, irrigation, tractor, tractors, combine harvester, growers, agri,
           cattle ranch, dairy farmers, dairy farm, hog farmers, grain elevator, crop, crops, harvest
        2: wheat, maize, grain, grains, cattle, hogs, poultry, orchard, orchards, vineyard, farm, farms,
           ranch, soil, fisheries, forestry, glyphosate, cf industries, yara, cargill, sugarcane, sugar beet,
           planting, drought, locust, cotton crop, fruit growers, seed companies, seeds, agrarian, silage,
           palm oil, cocoa farmers, coffee growers, rural, agrochemical, agrochemicals
        1: corn, rice, cotton, beef, pork, dairy, cocoa, coffee beans, fishing, timber, greenhouse, potato,
           potatoes, rainfall, farmworkers, food security, apple, apples, eggs, milk
        0.5: weather, commodity
    """,
    "automation-process-control": """
        3: industrial automation, factory automation, process automation, process control, cobot, cobots,
           collaborative robot, industrial robot, programmable logic controller, plc, plcs, scada,
           distributed control system, industrial internet of things, iiot, industry 4.0, smart factory,
           smart manufacturing, machine vision, motion control, rockwell automation, fanuc, yaskawa, kuka,
           keyence, cognex, universal robots, boston dynamics, abb robotics, omron, emerson electric,
           schneider electric, siemens digital industries, aspentech, aspen technology, autonomous mobile robot,
           warehouse automation, warehouse robots, robotic arm, robotic arms, predictive maintenance,
           condition monitoring, opc ua, fieldbus, industrial control, industrial control systems,
           control valve, manufacturing execution system, humanoid robot, humanoid robots, cyber-physical,
           automation systems, automation company, robotics company, industrial robotics, machine tool,
           machine tools, cnc, agv, agvs, hmi, servo motor, servo motors, assembly robots, process industries
        2: robotics, robot, robots, automation, automated, automate, automating, humanoid, actuator, actuators,
           control systems, digital twin, assembly line, production line, production lines, instrumentation,
           flow meter, rockwell, abb, emerson, honeywell, yokogawa, endress, mitsubishi electric, fanuc,
           zebra technologies, robotic process automation, rpa, factory floor, plant floor, industrial equipment,
           manufacturing technology, sensors, lights-out, machine builders, plant operators
        1: manufacturing, factory, factories, manufacturer, manufacturers, siemens, valves, pumps,
           compressors, industrial, edge computing, autonomous, maintenance, equipment, machinery,
           workforce shortage, uptime
        0.5: plant
    """,
    "automotive-transportation": """
        3: automaker, automakers, carmaker, carmakers, auto industry, automotive, car sales, vehicle sales,
           electric vehicle, electric car, ev charging, charging station, general motors, ford motor,
           stellantis, chrysler, volkswagen, toyota, nissan, bmw, mercedes-benz, daimler truck, audi,
           volvo cars, renault, peugeot, byd, xpeng, li auto, rivian, lucid motors, lucid group, polestar,
           geely, saic, great wall motor, tata motors, maruti suzuki, mazda, subaru, uaw, united auto workers,
           car dealers, car dealership, dealership, suv, suvs, sedan, nhtsa, autonomous vehicle, self-driving,
           robotaxi, waymo, full self-driving, ride-hailing, ride hailing, lyft, tires, tyres, bridgestone,
           goodyear, auto parts, auto supplier, auto suppliers, denso, aptiv, powertrain, drivetrain,
           combustion engine, internal combustion, plug-in hybrid, battery electric, fuel economy, car buyers,
           freight, container shipping, container ship, maersk, hapag-lloyd, suez canal, panama canal, railroad,
           railway, freight rail, union pacific, bnsf, csx, norfolk southern, amtrak, high-speed rail, trucking,
           truckers, truck drivers, last-mile delivery, public transit, transit agency, motorcycle,
           harley-davidson, department of transportation, transportation secretary, autos, car market,
           used cars, new cars, car prices, vehicle recall, ev maker, ev makers, evs, car industry
        2: tesla, honda, hyundai, kia, porsche, fiat, ferrari, mahindra, jeep, mercedes, vw, volvo, nio,
           electric vehicles, vehicle, vehicles, car, cars, truck, trucks, logistics, transportation,
           transport, shipping, rail, trains, fedex, dhl, uber, didi, magna, michelin, gigafactory, lidar,
           ev, autopilot, mobility, highway, highways, port congestion, freight rates, cargo, airline,
           airlines, ferry, e-bike, scooter, motorbike, horsepower, mileage, chassis, hybrid, pickup truck,
           =GM, =Ford, =UPS, buses, bus, commuters, auto, motors
        1: supply chain, airport, flights, passenger, passengers, aviation, faa, bicycle, bosch, zf, dealer,
           dealers, motor, driver, drivers, recall, recalls, fleet, emissions standards, traffic, congestion,
           roads, ports
        0.5: train, delivery, deliveries, road
    """,
    "banking-finance": """
        3: banking, banker, bankers, jpmorgan, jp morgan, jpmorgan chase, goldman sachs, goldman, morgan stanley,
           citigroup, citi, bank of america, wells fargo, hsbc, barclays, ubs, credit suisse, deutsche bank,
           bnp paribas, santander, natwest, blackrock, charles schwab, mastercard, american express, amex,
           fintech, neobank, coinbase, cryptocurrency, cryptocurrencies, bitcoin, ethereum, stablecoin,
           investment bank, investment banking, hedge fund, private equity, asset manager, asset management,
           wealth management, fund manager, mutual fund, etf, etfs, ipo, ipos, initial public offering,
           nyse, new york stock exchange, s&p 500, dow jones, ftse, stoxx, nasdaq composite, treasury yields,
           bond yields, bond market, equities, securities and exchange commission, finra, fdic, stress test,
           capital requirements, reinsurance, insurer, insurers, allianz, axa, aig, metlife, brokerage,
           dividend, dividends, buyback, share buyback, overdraft, savings account, checking account,
           credit score, fico, credit rating, moody s, s&p global, fitch ratings, capital markets, forex,
           money laundering, anti-money laundering, buy now pay later, klarna, sofi, revolut, monzo, nubank,
           silicon valley bank, svb, regional banks, net interest income, loan growth, annuity, 401 k,
           pension fund, sovereign wealth fund, underwriting, bull market, bear market, stock market,
           wall street, shares fell, shares rose, stock price, share price, market capitalization,
           market cap, mergers and acquisitions, lender, lenders, robinhood, paypal, crypto, mortgage rates,
           trading day, stock exchange, central counterparty, clearing house, private credit, credit card,
           credit cards, deposits, depositors, loan, loans, lending, mortgage, mortgages, payment processor,
           blue chip, blue-chip
        2: bank, banks, stocks, hedge funds, venture capital, nasdaq, dow,
           nikkei, dax, hang seng, bonds, treasuries, securities, insurance, prudential, vanguard, fidelity,
           schwab, berkshire hathaway, payments, digital payments, remittances, blockchain, trading, trader,
           traders, =Visa, =Stripe, =SEC, =Affirm, =Chime, finance, financial services, investing, portfolio,
           fund, funds, debt financing, refinancing, bankruptcy, chapter 11, liquidity, sell-off, rate cut,
           rate cuts, rate hike, rate hikes, basis points, yields, atm, atms, fintechs, foreign exchange,
           benchmark index
        1.5: shares, shareholders, shareholder, investors, trading, financial, credit, m&a
        1: interest rate, interest rates, federal reserve, =Fed, gold prices, currency, dollar, debt, pension,
           rally, futures, money, cash, capital, startup funding, funding round, valuation, investment,
           investments, assets, merger, mergers, acquisition, takeover
        0.5: market, markets, deal, deals, earnings, quarterly earnings, profit, profits, revenue,
           net income, guidance, analysts, fees
    """,
    "chemicals-materials": """
        3: chemicals, chemical, chemical industry, specialty chemicals, petrochemical, petrochemicals, polymer,
           polymers, polyethylene, polypropylene, pvc, resin, resins, ethylene, propylene, chlorine,
           sulfuric acid, caustic soda, titanium dioxide, coatings, adhesives, sealants, dow chemical, dow inc,
           basf, lyondellbasell, dupont, eastman chemical, celanese, ineos, sabic, covestro, evonik, lanxess,
           clariant, solvay, arkema, air liquide, air products, industrial gases, albemarle, sherwin-williams,
           akzonobel, ppg industries, advanced materials, carbon fiber, carbon fibre, graphene, composites,
           cement, steelmaker, steelmakers, steelmaking, nucor, arcelormittal, nippon steel, u s steel,
           cleveland-cliffs, alcoa, battery materials, cathode, anode, electrolyte, pfas, forever chemicals,
           chemical plant, chemical spill, chemical maker, chemical makers, chemours, wanhua, mitsubishi chemical,
           sumitomo chemical, shin-etsu chemical, bioplastics, bio-based, nanomaterials, lubricants, solvents,
           specialty materials, materials science, plastic waste, plastic recycling, plastics, chemistry,
           synthetic rubber, fibreglass, fiberglass, ceramics, glassmaker, pulp and paper, pigments,
           catalysts, steel tariffs, aluminium tariffs, aluminum tariffs
        2: plastic, steel, aluminium, aluminum, alloy, alloys, paint, paints, corning, ppg, linde, huntsman,
           =3M, ammonia, nitrogen, hydrogen peroxide, rubber, packaging materials, fibers, fibres,
           composite, materials, lumber, pulp, synthetic, biodegradable, toxic chemicals, hazardous
           chemicals, fertilizer plant, methanol, benzene, styrene, nylon, silicone, epoxy
        1: material, recycling, packaging, concrete, lithium, catalyst, hazardous, epa, sinopec, refinery,
           molecules, compounds, coating, glass, textiles
    """,
    "consumer-goods-services": """
        3: consumer goods, consumer products, consumer brands, retailer, retailers, shoppers, e-commerce,
           ecommerce, online shopping, walmart, costco, kroger, temu, shein, etsy, home depot, lowe s,
           best buy, macy s, nordstrom, kohl s, h&m, zara, inditex, uniqlo, fast retailing, nike, adidas,
           lululemon, under armour, apparel, luxury goods, lvmh, kering, gucci, prada, chanel, burberry,
           richemont, procter gamble, p&g, unilever, colgate, kimberly-clark, estee lauder, l oreal, loreal,
           cosmetics, skincare, personal care, household products, toys, mattel, hasbro, lego, ikea,
           whirlpool, electrolux, black friday, cyber monday, holiday shopping, holiday sales, department store,
           department stores, direct-to-consumer, private label, chewy, peloton, jewelry, jewellery, sneakers,
           footwear, clothing, handbags, luxury brand, retail chain, store closures, foot traffic,
           loyalty program, tobacco, cigarettes, vaping, e-cigarettes, philip morris, altria,
           british american tobacco, diapers, detergent, box office, netflix, streaming service, consumer
           electronics retailer, retail sales, same-store sales, comparable sales, fashion brand, beauty brand,
           shopping mall, consumer demand, consumer behavior, consumer behaviour
        2.5: retail
        2: consumer, consumers, shopping, =Target, =Amazon, =Gap, =Puma, alibaba, ebay,
           jd com, fashion, luxury, beauty, hermes, tiffany, toy, furniture, appliances, subscription,
           subscriptions, disney, spotify, video games, nintendo, playstation, mall, malls, outlet,
           discounter, coupons, customer service, pets, pet food, fitness, gym, shoes, watches, razor,
           consumer spending, streaming, merchandise, checkout, warehouse club, dollar store, dollar general,
           dollar tree
        1.5: stores, store, brand, brands, entertainment
        1: cannabis, movie, movies, wellness, sony, warranty, holiday, gift, gifts, gift cards, marketing,
           advertising, discount, discounts, household, gaming
        0.5: customers, products, sales, delivery
    """,
    "economy": """
        3: economy, economies, economist, economists, gdp, gross domestic product, recession, inflation,
           deflation, stagflation, consumer prices, consumer price index, cpi, pce, producer prices,
           unemployment, jobless, jobless claims, unemployment rate, nonfarm payrolls, payrolls, jobs report,
           labor market, labour market, job growth, wage growth, central bank, central banks, fomc,
           jerome powell, ecb, european central bank, lagarde, bank of england, bank of japan, boj, pboc,
           people s bank of china, reserve bank, monetary policy, fiscal policy, quantitative easing,
           stimulus package, budget deficit, national debt, trade war, trade deficit, trade surplus,
           economic growth, pmi, economic data, purchasing managers, industrial production, factory output,
           factory orders,
           consumer confidence, consumer sentiment, housing market, housing starts, home sales, imf,
           international monetary fund, world bank, oecd, world trade organization, cost of living,
           savings rate, economic outlook, bureau of labor statistics, soft landing, hard landing,
           business activity, business confidence, price pressures, core inflation, headline inflation,
           living standards, emerging markets, developing economies, per capita, purchasing power,
           federal reserve, macroeconomic,
           output gap, trade balance, current account, growth forecast, growth rate, recession fears,
           interest rate decision, rate decision, minimum wage
        2: wages, employment, =Fed, =Powell, fiscal, stimulus, deficit, debt ceiling, government debt,
           sovereign debt, wto, trade deal, exports, imports, supply chains, slowdown, downturn,
           contraction, retail sales, consumer spending, home prices, property market, productivity,
           exchange rate, yuan, devaluation, commodity prices, affordability, income inequality,
           household income, household debt, treasury secretary, finance minister, tax cuts, austerity,
           public spending, government spending, interest rate, interest rates, rate cut, rate cuts,
           rate hike, rate hikes, borrowing costs, labor, labour, jobs, job cuts, layoffs, hiring,
           g20, rbi, bls, forecast, forecasts, growth, trade, export, import, small businesses, poverty,
           census bureau, economic, economically, tariff, tariffs
        1.5: real estate
        1: budget, taxes, tax, currency, dollar, euro, yen, construction, basis points, workforce,
           economic policy, sanctions, g7, spending, outlook, data showed, investment, treasury, bonds,
           yields
        0.5: business, businesses, industry, manufacturing, prices, price, cost, costs, demand, supply,
           pound, market, markets, money
    """,
    "electronics-semiconductor": """
        3: semiconductor, semiconductors, chipmaker, chipmakers, chipmaking, chip industry, foundry,
           foundries, wafer, wafers, lithography, euv, asml, tsmc, taiwan semiconductor, intel, amd, nvidia,
           qualcomm, broadcom, micron, sk hynix, hynix, samsung electronics, texas instruments,
           analog devices, nxp, infineon, stmicroelectronics, renesas, nexperia, globalfoundries, smic,
           arm holdings, applied materials, lam research, kla, tokyo electron, marvell, mediatek, onsemi,
           on semiconductor, microchip technology, memory chips, memory chip, dram, nand, hbm,
           high-bandwidth memory, ai chips, ai chip, chip export, chip exports, chips act, transistor,
           transistors, integrated circuit, integrated circuits, microchip, microchips, electronic components,
           printed circuit board, pcb, oled, microled, foxconn, hon hai, pegatron, power electronics,
           silicon carbide, gallium nitride, photonics, moore s law, nanometer, 3nm, 2nm, 5nm, 7nm,
           chip design, synopsys, cadence design, advanced packaging, cowos, chipset, microcontroller, fpga,
           asic, semiconductor equipment, chip shortage, chip plant, chip factory, chip stocks,
           electronics maker, electronics makers, electronics manufacturer, consumer electronics, capacitor,
           capacitors, lcd, display panel, display panels, western digital, seagate, lg electronics,
           electronics, gpu, gpus, processor, processors, chip sector, fabs
        2.5: chip, chips
        2: electronic, fab, cpu, cpus, smartphone, smartphones, sensor, laptop, laptops, pc, pcs, wearables,
           headphones, television, televisions, tvs, batteries, battery, gallium, germanium, modem,
           radio frequency, hard drive, samsung, sony, panasonic, xiaomi, jabil, =Arm, silicon,
           export controls, soc, circuit, circuits, electronic devices, gadgets,
           jensen huang, iphone, tablet, tablets, hardware
        1: rare earth, rare earths, 5g, optical, lidar, huawei, apple supplier, lg, sensors, memory,
           storage, devices, device, display, displays
        0.5: components, component
    """,
    "energy-resources": """
        3: oil, crude, crude oil, oil prices, oil price, brent, wti, west texas intermediate, opec,
           barrels per day, barrels, natural gas, lng, liquefied natural gas, gasoline, jet fuel, refinery,
           refineries, refining, oil pipeline, gas pipeline, drilling, shale, fracking, offshore drilling,
           oilfield, oil field, gas field, exxon, exxonmobil, exxon mobil, chevron, totalenergies,
           conocophillips, saudi aramco, aramco, petrobras, equinor, occidental petroleum, halliburton,
           schlumberger, baker hughes, gazprom, rosneft, lukoil, cnooc, petrochina, adnoc, electricity,
           power grid, power plant, power prices, electricity prices, energy prices, energy crisis,
           energy security, renewable, renewables, renewable energy, solar panels, solar power, solar farm,
           wind power, wind farm, offshore wind, onshore wind, wind turbine, vestas, orsted, ørsted,
           siemens gamesa, first solar, nextera, duke energy, dominion energy, edf, engie, iberdrola, enel,
           rwe, nuclear power, nuclear plant, nuclear reactor, small modular reactor, uranium, hydropower,
           hydroelectric, geothermal, green hydrogen, battery storage, energy storage, carbon capture,
           carbon emissions, greenhouse gas, net zero, net-zero, decarbonisation, decarbonization,
           clean energy, fossil fuels, fossil fuel, coal, coal mine, coal plant, mining, miner, miners,
           copper, iron ore, nickel, cobalt, zinc, critical minerals, bhp, rio tinto, glencore, anglo american,
           freeport-mcmoran, newmont, barrick, fortescue, oil and gas, oil & gas, energy transition,
           power outage, heat pump, department of energy, energy department, energy secretary,
           energy minister, iea, international energy agency, ferc, strategic petroleum reserve, petroleum,
           oil output, oil production, rig count, kilowatt, megawatt, gigawatt, kwh, mwh, gwh, energy company,
           oil major, oil majors, oil company, utility bills, oil demand, gas prices, gas supply, gas supplies,
           power generation, solar, wind energy, energy sector, oil and gas company, lithium mine,
           mining company, gold mine, copper mine, opec+, electric utility
        2: gas, diesel, fuel, fuels, pipeline, pipelines, upstream, grid, utility, utilities, =Shell, =BP,
           =SLB, =Vale, eni, occidental, sinopec, nuclear, reactor, reactors, smr, hydrogen, emissions,
           climate change, minerals, metals, lithium, rare earth, rare earths, commodities, gold prices,
           blackout, power supply, drill, rigs, production cuts, e on, barrel, watts, climate, carbon,
           methane, ev charging, batteries, battery storage systems
        2.5: energy
        1: gold, mines, steel, aluminium, aluminum, epa, timber, forestry
        0.5: silver, power, mine, resources, sustainability, environmental
    """,
    "food-beverage": """
        3: beverage, beverages, fast food, fast-food, mcdonald s, mcdonalds, starbucks, chipotle, yum brands,
           kfc, burger king, taco bell, domino s, wendy s, brewer, brewers, brewery, breweries, winery,
           whiskey, whisky, vodka, soft drinks, soft drink, coca-cola, coca cola, pepsico, pepsi, nestle,
           nestlé, danone, kraft heinz, mondelez, general mills, kellogg, kellanova, hershey, mars inc,
           tyson foods, jbs, hormel, conagra, campbell soup, smucker, anheuser-busch, ab inbev, heineken,
           carlsberg, diageo, pernod ricard, constellation brands, molson coors, monster beverage, red bull,
           keurig dr pepper, food prices, food inflation, egg prices, potato chips, snacks, chocolate,
           food safety, food recall, salmonella, listeria, e coli, plant-based, beyond meat, impossible foods,
           organic food, packaged food, packaged foods, processed food, ultra-processed, bottled water,
           energy drinks, energy drink, grubhub, deliveroo, food and beverage, f&b, foodservice,
           food service, food industry, food maker, food makers, food company, food companies, bottler,
           restaurant chain, restaurant chains, menu prices, groceries, grocery prices, beer, wine,
           drinks, restaurant, restaurants, cuisine, chef, chefs, dining, recipe, recipes, coffee chain
        2.5: food, foods
        2: drink, coffee, tea, spirits, alcohol, alcoholic, soda, =Coke, kraft, heinz, pizza, burger,
           burgers, sandwich, seafood, cheese, candy, snack, bakery, bread, yogurt, juice, nutrition,
           ingredients, ingredient, menu, diners, food delivery, doordash, uber eats, instacart, grocery,
           grocer, grocers, supermarket, supermarkets, meat, chicken, dairy products, milk, eggs, cocoa prices,
           coffee prices, cereal, sugar, flavors, flavours, cooking, cafe, cafes, =Subway, =Tyson,
           sweeteners, dessert, vegan, pasta, noodles, frozen food, meal, meals
        1: dairy, protein, obesity, fda, flour, cocoa, rice, corn, beef, pork, fruit, vegetables, apple,
           apples, calories, diet, kitchen, organic, taste
    """,
    "hospitality-tourism": """
        3: tourism, tourist, tourists, tourism industry, travelers, travellers, traveler, traveller,
           vacation, vacations, holidaymakers, hotel, hotels, hotelier, hoteliers, hospitality, resort,
           resorts, casino, casinos, marriott, hilton, hyatt, ihg, intercontinental hotels, accor, wyndham,
           choice hotels, airbnb, booking com, booking holdings, expedia, tripadvisor, trip com, cruise,
           cruises, cruise line, cruise lines, cruise ship, royal caribbean, norwegian cruise, theme park,
           theme parks, disneyland, disney world, universal studios, visitor arrivals, international arrivals,
           tourist arrivals, occupancy rates, room rates, revpar, short-term rental, short-term rentals,
           vacation rental, travel agency, travel agent, travel agents, tour operator, tour operators,
           sightseeing, ski resort, overtourism, summer travel, tourist season, business travel,
           travel demand, travel industry, hospitality industry, lodging, motel, hostel, luxury hotel,
           holiday travel, travel bookings, hotel rooms, tourist attraction, tourist destination,
           air travel, iata, visitor numbers
        2.5: macau
        2: travel, las vegas
        1.5: trip, trips
        2: visitors, visitor, destination, destinations, bookings, booking, occupancy, beach, beaches, ski,
           =Carnival, passport, passports, travel restrictions, travel ban, unesco, heritage site, nightlife,
           guests, airline, airlines, airport, airports, flights, flight, delta air lines, united airlines,
           american airlines, southwest airlines, ryanair, easyjet, lufthansa, emirates airline, qatar airways,
           singapore airlines, air france, british airways, jetblue, spirit airlines, tsa, airfares,
           airfare, getaway, itinerary, passenger numbers
        1: visa, visas, passenger, passengers, leisure, luxury, entertainment, disney, holiday, holidays,
           museum, museums, restaurants, restaurant, dining, cuisine, conventions, festival, festivals
        0.5: summer, events, conference
    """,
    "information-technology": """
        3: software, saas, cloud computing, data center, data centers, data centre, data centres,
           artificial intelligence, generative ai, machine learning, large language model, llm, llms,
           chatbot, chatbots, chatgpt, openai, anthropic, deepmind, microsoft, google, alphabet,
           amazon web services, aws, azure, facebook, instagram, whatsapp, bytedance, salesforce, ibm, adobe,
           cisco, servicenow, palantir, cloudflare, crowdstrike, palo alto networks, fortinet, zscaler,
           datadog, mongodb, atlassian, dropbox, baidu, alibaba cloud, infosys, tata consultancy services,
           wipro, accenture, capgemini, cognizant, hewlett packard enterprise, hpe, dell, lenovo,
           cybersecurity, cyber security, cyberattack, cyberattacks, cyber attack, ransomware, hackers,
           hacker, data breach, malware, phishing, zero-day, broadband, telecommunications, verizon, at&t,
           t-mobile, vodafone, deutsche telekom, app store, search engine, big data, database, databases,
           open source, open-source, programming, coding, enterprise software, computing, quantum computing,
           quantum computer, supercomputer, big tech, tech giant, tech giants, tech company, tech companies,
           tech sector, tech industry, software company, metaverse, virtual reality, augmented reality,
           android, browser, gmail, cloud outage, it services, it spending, digital transformation,
           data privacy, gdpr, user data, sam altman, sundar pichai, satya nadella, mark zuckerberg,
           tim cook, ai model, ai models, deepseek, mistral ai, copilot, hyperscaler, hyperscalers,
           tech startup, tech startups, developers, software developers, cloud services, cloud provider,
           ai startup, ai startups, ai agents, ai agent, neural network, algorithm, algorithms
        2.5: ai
        2: =Apple, =Meta, =Oracle, =SAP, =HP, =Zoom, =Slack, =Windows, =Chrome, =Gemini, =Snowflake,
           =Workday, tiktok, twitter, youtube, tencent, shopify, telecom, telecoms, wireless, mobile network,
           5g, app, apps, internet, social media, analytics, developer, silicon valley, server, servers,
           computer, computers, hack, hacked, vulnerability, encryption, password, passwords, website,
           websites, web, ios, vr, headset, api, apis, xai, grok, digital services, cloud, tech,
           streaming platform, iphone
        1.5: technology, startup, startups, digital, smartphone, smartphones, laptop
        1: online, privacy, users, user, platform, platforms, data, semiconductor demand, antitrust,
           comcast, starlink, subscribers, devices, gpu, gpus, chips, robotic process automation,
           edge computing, digital payments, blockchain, innovation, tesla, uber, automation, robots, outage
        0.5: elon musk, musk, video, network, networks
    """,
    "political": """
        3: political, politics, politician, politicians, election, elections, electoral, voters, ballot,
           ballots, congressional, senate, senator, senators, house of representatives, lawmakers, lawmaker,
           legislative, parliament, parliamentary, prime minister, presidential, white house, biden,
           xi jinping, zelensky, zelenskyy, netanyahu, starmer, kremlin, downing street, democrats,
           republican, republicans, gop, conservative party, labour party, tory, tories, opposition leader,
           ruling party, coalition government, foreign minister, foreign ministry, foreign policy, diplomacy,
           ceasefire, peace talks, military coup, referendum, deportation, deportations, executive order,
           trump administration, biden administration, state department, secretary of state,
           un security council, security council, taliban, hezbollah, regime, dictator, authoritarian,
           democracy, campaign trail, midterms, midterm elections, primary election, impeachment, partisan,
           bipartisan, filibuster, house speaker, speaker of the house, government shutdown, lobbying,
           lobbyists, populist, far-right, far right, left-wing, right-wing, party leader, diplomatic relations,
           foreign affairs, envoy, state visit, head of state, legislature, statehouse, annexation,
           opposition party, geopolitics, voting, congress, democrat, politically, governor s race, polling,
           ruling coalition, immigration, migrants, asylum, refugees, geopolitical, diplomatic, diplomat,
           diplomats, embassy, ambassador, human rights, sovereignty, terrorism, terrorist, protesters, coup,
           cabinet minister, west bank
        2.5: vote, votes
        2: =Trump, =Vance, =Obama, =Putin, =Macron, =Modi, =Erdogan, =MPs, democratic, liberals,
           conservatives, opposition, coalition, cabinet, ministry, treaty, war, minister, ministers,
           sanctions,
           invasion, protest, protests, demonstrators, constitution, constitutional, supreme court,
           policymakers, mayor, governor, border, administration, federal government, national security,
           cia, fbi, homeland security, nato, united nations, european union, european commission,
           brussels, hamas, gaza, ukraine war, summit, bilateral, negotiations, talks, veto, militants,
           rebels, insurgents, territorial, corruption, legislation, poll, polls, =EU,
           nationalist
        2: government
        1.5: president
        1: conflict, scandal, shutdown, debt ceiling, tariff, tariffs, trade deal, g7, g20, wto, budget,
           tax, taxes, minimum wage, social media ban, rights, law, laws, policy, policies, regulation,
           regulations, regulators, regulatory, court, judge, campaign, citizens, sanction
        0.5: nation, leaders, federal, press conference, ban
    """,
}
