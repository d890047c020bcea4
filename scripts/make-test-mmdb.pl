#!/usr/bin/perl
# make-test-mmdb.pl -- build the small synthetic GeoIP2-shaped test databases
# in tests/data/mmdb/ (City, Country, ASN, and a Domain one that msiwatch
# must refuse) for tests/unit/test_geo.c.
#
# Usage:  perl scripts/make-test-mmdb.pl [OUTDIR]     (default: <repo>/tests/data/mmdb)
#
# Needs MaxMind::DB::Writer (Debian: apt-get install libmaxmind-db-writer-perl).
# Only regenerating the databases needs it; building msiwatch does not, the
# .mmdb files are committed. Deterministic: the build epoch is fixed and the
# writer sorts map keys, so re-running reproduces the committed files.
#
# The records follow the GeoIP2/GeoLite2 schemas (country.iso_code,
# country.names.en, city.names.en, autonomous_system_number,
# autonomous_system_organization, ...) so the code that reads them reads the
# real databases too. All networks are documentation/test or lab ranges; the
# data is invented, except 81.2.69.160/27 -> GB London, which mirrors
# MaxMind's own test databases.
use strict;
use warnings;
use utf8;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec;
use MaxMind::DB::Writer::Tree;

my $outdir = shift @ARGV
    // File::Spec->catdir( dirname( dirname( abs_path(__FILE__) ) ), 'tests', 'data', 'mmdb' );
-d $outdir or die "$outdir: not a directory\n";
my $EPOCH = 1735689600;    # 2025-01-01T00:00:00Z, fixed for reproducible output

my %types = (
    accuracy_radius                => 'uint16',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    city                           => 'map',
    code                           => 'utf8_string',
    continent                      => 'map',
    country                        => 'map',
    en                             => 'utf8_string',
    geoname_id                     => 'uint32',
    is_in_european_union           => 'boolean',
    iso_code                       => 'utf8_string',
    latitude                       => 'double',
    location                       => 'map',
    longitude                      => 'double',
    names                          => 'map',
    registered_country             => 'map',
    time_zone                      => 'utf8_string',
);
sub key_type { my $t = $types{ $_[0] } or die "no type for key $_[0]\n"; return $t }

# ---- places (GeoNames ids as in the real databases) ----------------------
my %continent = (
    EU => { code => 'EU', geoname_id => 6255148, names => { en => 'Europe' } },
    AS => { code => 'AS', geoname_id => 6255147, names => { en => 'Asia' } },
);
my %country = (
    NL => { geoname_id => 2750405, iso_code => 'NL', names => { en => 'Netherlands' },    is_in_european_union => 1 },
    GB => { geoname_id => 2635167, iso_code => 'GB', names => { en => 'United Kingdom' } },
    JP => { geoname_id => 1861060, iso_code => 'JP', names => { en => 'Japan' } },
    DE => { geoname_id => 2921044, iso_code => 'DE', names => { en => 'Germany' },        is_in_european_union => 1 },
    FR => { geoname_id => 3017382, iso_code => 'FR', names => { en => 'France' },         is_in_european_union => 1 },
    KR => { geoname_id => 1835841, iso_code => 'KR', names => { en => 'South Korea' } },
);
my %cont_of = ( NL => 'EU', GB => 'EU', DE => 'EU', FR => 'EU', JP => 'AS', KR => 'AS' );

sub country_record {
    my ($cc) = @_;
    return {
        continent          => $continent{ $cont_of{$cc} },
        country            => $country{$cc},
        registered_country => $country{$cc},
    };
}

sub city_record {
    my ( $cc, $city ) = @_;
    my $r = country_record($cc);
    if ($city) {
        $r->{city} = { geoname_id => $city->{id}, names => { en => $city->{name} } };
        $r->{location} = {
            accuracy_radius => $city->{radius},
            latitude        => $city->{lat},
            longitude       => $city->{lon},
            time_zone       => $city->{tz},
        };
    }
    return $r;
}

sub tree {
    my (%a) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version               => $a{ip_version},
        record_size              => 24,
        database_type            => $a{type},
        languages                => ['en'],
        description              => { en => "msiwatch synthetic test database ($a{type}); not real data" },
        map_key_type_callback    => \&key_type,
        remove_reserved_networks => 0,    # the test networks are all reserved ranges
        alias_ipv6_to_ipv4       => $a{alias} ? 1 : 0,
    );
}

sub write_tree {
    my ( $t, $name ) = @_;
    $t->_set_build_epoch($EPOCH);
    my $path = File::Spec->catfile( $outdir, $name );
    my $tmp  = "$path.tmp";
    open my $fh, '>:raw', $tmp or die "$tmp: $!\n";
    $t->write_tree($fh);
    close $fh or die "$tmp: $!\n";
    rename $tmp, $path or die "$path: $!\n";
    printf "%s (%d bytes)\n", $path, -s $path;
}

# ---- test-city.mmdb: GeoIP2-City, IPv6 tree, IPv4 aliased like MaxMind's --
{
    my $t = tree( ip_version => 6, type => 'GeoIP2-City', alias => 1 );
    $t->insert_network( '10.77.0.20/32', city_record( 'NL',
        { id => 2759794, name => 'Amsterdam', lat => 52.3759, lon => 4.8975, radius => 20, tz => 'Europe/Amsterdam' } ) );
    $t->insert_network( '81.2.69.160/27', city_record( 'GB',
        { id => 2643743, name => 'London', lat => 51.5142, lon => -0.0931, radius => 10, tz => 'Europe/London' } ) );
    $t->insert_network( '203.0.113.0/24', city_record('JP') );    # country only, no city
    $t->insert_network( '2001:db8::/32', city_record( 'DE',
        { id => 2867714, name => 'München', lat => 48.1374, lon => 11.5755, radius => 50, tz => 'Europe/Berlin' } ) );
    write_tree( $t, 'test-city.mmdb' );
}

# ---- test-country.mmdb: GeoLite2-Country, IPv4-only tree -------------------
{
    my $t = tree( ip_version => 4, type => 'GeoLite2-Country' );
    $t->insert_network( '10.77.0.0/16',    country_record('NL') );
    $t->insert_network( '81.2.69.0/24',    country_record('GB') );
    $t->insert_network( '198.51.100.0/24', country_record('FR') );
    # Deliberately disagrees with test-city.mmdb (JP), as two vendors may:
    # which answer wins depends on the order the databases were opened.
    $t->insert_network( '203.0.113.0/24',  country_record('KR') );
    write_tree( $t, 'test-country.mmdb' );
}

# ---- test-asn.mmdb: GeoLite2-ASN, IPv6 tree, IPv4 NOT aliased -------------
# (so an IPv4 address must be looked up as IPv4, not as ::ffff:a.b.c.d)
{
    my $t = tree( ip_version => 6, type => 'GeoLite2-ASN', alias => 0 );
    $t->insert_network( '10.77.0.0/24',   { autonomous_system_number => 64500, autonomous_system_organization => 'Lab Transit B.V.' } );
    $t->insert_network( '203.0.113.0/24', { autonomous_system_number => 64501, autonomous_system_organization => 'Example Net' } );
    $t->insert_network( '2001:db8::/32',  { autonomous_system_number => 64502, autonomous_system_organization => 'Documentation IPv6 GmbH' } );
    # A hostile organisation: a control byte and 300 bytes, longer than as_org.
    $t->insert_network( '192.0.2.0/24',
        { autonomous_system_number => 64503, autonomous_system_organization => "Bell\x07Corp " . ( 'x' x 290 ) } );
    write_tree( $t, 'test-asn.mmdb' );
}

# ---- test-domain.mmdb: GeoIP2-Domain, a type geo_open must refuse ---------
{
    local $types{domain} = 'utf8_string';
    my $t = tree( ip_version => 6, type => 'GeoIP2-Domain', alias => 1 );
    $t->insert_network( '10.77.0.0/24', { domain => 'lab.example' } );
    write_tree( $t, 'test-domain.mmdb' );
}
