/** Word lists behind the generated commerce rows: plausible shop data, not lorem ipsum. */

export interface CategorySpec {
  name: string;
  items: readonly string[];
  sizes: readonly string[] | null;
  /** Price range in cents. */
  priceCents: readonly [number, number];
  materials: readonly string[];
}

export const BRANDS = [
  'Northwind', 'Alpine Trail', 'Urban Thread', 'Blue Harbor', 'Cedar & Co', 'Summit Gear',
  'Velvet Fox', 'Ironwood', 'Coastline', 'Red Maple', 'Nordic Loom', 'Sierra Supply',
  'Golden Hour', 'Meadowlark', 'Stonebridge', 'Polar Peak',
] as const;

export const CATEGORIES: readonly CategorySpec[] = [
  { name: 'Shoes', items: ['Running Shoe', 'Trail Sneaker', 'Leather Boot', 'Canvas Slip-On', 'Hiking Boot', 'Court Sneaker'], sizes: ['38', '39', '40', '41', '42', '43', '44', '45'], priceCents: [4900, 18900], materials: ['breathable mesh', 'full-grain leather', 'recycled canvas', 'suede'] },
  { name: 'Jackets', items: ['Rain Jacket', 'Down Parka', 'Fleece Jacket', 'Denim Jacket', 'Softshell Jacket'], sizes: ['XS', 'S', 'M', 'L', 'XL', 'XXL'], priceCents: [5900, 34900], materials: ['ripstop nylon', 'recycled down', 'polar fleece', 'organic denim'] },
  { name: 'Shirts', items: ['Oxford Shirt', 'Linen Shirt', 'Flannel Shirt', 'Polo Shirt', 'Crew Tee'], sizes: ['XS', 'S', 'M', 'L', 'XL', 'XXL'], priceCents: [1500, 8900], materials: ['organic cotton', 'linen', 'brushed flannel', 'pique cotton'] },
  { name: 'Pants', items: ['Chino Pant', 'Slim Jeans', 'Cargo Pant', 'Jogger', 'Hiking Pant'], sizes: ['28', '30', '32', '34', '36', '38'], priceCents: [2900, 12900], materials: ['stretch twill', 'selvedge denim', 'ripstop cotton', 'French terry'] },
  { name: 'Bags', items: ['Daypack', 'Messenger Bag', 'Tote Bag', 'Duffel Bag', 'Laptop Sleeve'], sizes: null, priceCents: [1900, 15900], materials: ['waxed canvas', 'recycled polyester', 'vegetable-tanned leather'] },
  { name: 'Accessories', items: ['Wool Beanie', 'Baseball Cap', 'Leather Belt', 'Sunglasses', 'Knit Scarf', 'Hiking Socks'], sizes: ['S', 'M', 'L'], priceCents: [900, 6900], materials: ['merino wool', 'cotton twill', 'full-grain leather', 'bamboo fibre'] },
  { name: 'Outdoor', items: ['Camping Lantern', 'Water Bottle', 'Trekking Poles', 'Sleeping Pad', 'Headlamp'], sizes: null, priceCents: [1200, 19900], materials: ['anodized aluminium', 'stainless steel', 'carbon fibre'] },
];

export const PRODUCT_ADJECTIVES = ['Classic', 'Everyday', 'Lightweight', 'Heritage', 'Performance', 'Essential', 'Premium', 'Weekend', 'Urban', 'Explorer'] as const;

export const COLORS = ['Black', 'White', 'Navy', 'Olive', 'Charcoal', 'Sand', 'Burgundy', 'Forest Green', 'Sky Blue', 'Rust', 'Grey', 'Mustard'] as const;

export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Lucas', 'Sophia', 'Mateo', 'Mia', 'Elijah', 'Amelia', 'Hiro',
  'Isabella', 'Oliver', 'Chloe', 'Arjun', 'Zoe', 'Leon', 'Fatima', 'Jonas', 'Priya', 'Diego', 'Hannah', 'Kwame',
  'Sofia', 'Ethan', 'Yuki', 'Omar', 'Lena', 'Marco',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Müller', 'Rossi', 'Nguyen', 'Kim', 'Patel', 'Okafor', 'Silva', 'Dubois',
  'Novak', 'Larsen', 'Tanaka', 'Cohen', 'Hernandez', 'Walker', 'Schmidt', 'Costa', 'Andersson', "O'Brien",
  'Kowalski', 'Ivanova', 'Mensah', 'Fischer',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'mail.example.org', 'inbox.example.net', 'shopper.example'] as const;

/** The classic retail customer segments. */
export const SEGMENTS = ['Consumer', 'Corporate', 'Home Office'] as const;

export const STREETS = ['Oak', 'Maple', 'Cedar', 'Elm', 'Pine', 'Harbor', 'Lake', 'Hill', 'Park', 'River', 'Sunset', 'Mill'] as const;
export const STREET_KINDS = ['Street', 'Avenue', 'Road', 'Lane', 'Boulevard', 'Way'] as const;
export const CITIES = [
  ['Portland', 'OR'], ['Austin', 'TX'], ['Denver', 'CO'], ['Madison', 'WI'], ['Raleigh', 'NC'], ['Boise', 'ID'],
  ['Burlington', 'VT'], ['Santa Fe', 'NM'], ['Savannah', 'GA'], ['Ann Arbor', 'MI'], ['Tucson', 'AZ'], ['Spokane', 'WA'],
] as const;

export const ORDER_STATUSES = ['Completed', 'Pending'] as const;
